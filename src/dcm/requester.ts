// The requesting side of a peer: claims, commits and blocking calls in flight, and the claim hints that
// keep peers from all reaching for the same copy. A commit's outcome is decided by the sequencer of its
// claim's epoch (its commit-result) or, whatever happens to that sequencer, by the log itself: the commit
// entry applied → true; a later term's first entry applied without it → false (that term adopted every
// entry that could ever commit before it).
import type { ClaimGrant, DistributedMolecule, DistributedOutput } from '../core/distributed-port';
import { type ClaimId, type Epoch, type MoleculeId, type PeerId, type ReactorId } from '../core/ids';
import type { LeaderInfo } from './acceptor';
import type { RoomContext } from './context';
import type { FreshEmissions } from './fresh';
import { msg, type MessageOf } from './messages';
import type { Preference } from './copy-bag';
import type { AppliedEntry } from './replica';
import { producedMoleculeId, type RequestIds } from './ids';
import { Starving } from './starving';

/**
 * A run only this peer can make (it takes a local molecule too: a blocking call made here) that found
 * nothing but held-back copies for this many grace periods in a row races for them (see starving.ts).
 */
const STARVED_AFTER_GRACES = 8;

/** Copies remembered as spent at most (past it the set starts over: it only saves refused claims). */
const MAX_SPENT = 4096;

/** A commit's empty lists of outputs (never changed: shared arrays instead of two new ones per commit). */
const NO_MOLECULES = Object.freeze([]) as unknown as DistributedMolecule[];
const NO_REPLIES = Object.freeze([]) as unknown as { to: PeerId; callId: string; value: unknown }[];

/** Held-back copies an idle peer considers per attempt. */
const MAX_STOLEN = 1024;

export type ClaimMode = 'optimistic' | 'confirmed';

interface Held {
  readonly grant: ClaimGrant;
  readonly leader: PeerId;
  state: 'asked' | 'granted' | 'rejected' | 'committing';
  commit?: MessageOf<'commit'>;
  /** The claim message, until the commit (which may take its place if it has not left yet). */
  claim?: MessageOf<'claim'> | undefined;
  /** The commit took the claim's place (`claim: true`): no claim of this id was ever sent on its own. */
  folded?: boolean;
  lastSent: number;
  confirm?: ((ok: boolean) => void) | undefined;
  /** Waiting for the sequencer's answer to the claim (see decided). */
  waiters?: ((granted: boolean) => void)[] | undefined;
  resolve?: (ok: boolean) => void;
}

export interface RequesterOptions {
  readonly mode: ClaimMode;
  /** This process's claim and call ids. */
  readonly ids: RequestIds;
  /** Availability of (reactor, name) may have grown. */
  readonly notify: (reactor: ReactorId, name: string) => void;
  /** Our own emissions on their way to the sequencer (matched first: see fresh.ts). */
  readonly fresh: FreshEmissions;
  /** Whether this peer is a copy's preferred host (affinity): an older fresh copy is offered only then. */
  readonly preferred: (m: DistributedMolecule) => boolean;
  /** The same for open copies of the replica, which sorts them by it (own copies offered first). */
  readonly preference?: Preference;
  /** Where claims go now. */
  readonly leader: () => LeaderInfo | null;
  /** While we are the sequencer: the copy is claimed by someone (our own claim table is the truth). */
  readonly claimedHere: (id: MoleculeId) => boolean;
}

export class Requester {
  readonly #ctx: RoomContext;
  readonly #o: RequesterOptions;
  readonly #held = new Map<string, Held>();
  readonly #inflight = new Set<MoleculeId>();
  /**
   * Copies our own commits consumed — the sequencer said so, the entry is durable — that our replica still
   * offers because the append carrying that entry has not reached it yet (a replica outside the quorum
   * hears of its commit before it has the entry). Trying one again only earns a fenced body: under a
   * backlog this was most refused claims (bench dcm: ~450 of 2,000 reactions with every peer running only
   * its own copies). They leave when the entry is applied here, when a later term begins (every entry of
   * an older epoch that commits is before it), or when the replica no longer has them. Soft state: a
   * sequencer lying "committed" only keeps this peer from reaching for those copies until then.
   */
  readonly #spent = new Map<MoleculeId, Epoch>();
  /** Copies the sequencer said are claimed: epoch and when we heard it (soft state, it ages out). */
  readonly #hinted = new Map<MoleculeId, { epoch: Epoch; at: number }>();
  readonly #calls = new Map<string, (value: unknown) => void>();
  readonly #starving: Starving;
  #lastRenew = -Infinity;

  constructor(ctx: RoomContext, options: RequesterOptions) {
    this.#ctx = ctx;
    this.#o = options;
    this.#starving = new Starving(ctx.clock, STARVED_AFTER_GRACES * ctx.timings.affinityGraceMs);
  }

  get inFlight(): number {
    return this.#held.size;
  }

  /**
   * Copies this peer may reach for. Copies held back for their preferred host (affinity) are offered only
   * when fewer than `need` others are: a peer that would otherwise idle steals at once instead of waiting
   * for the grace period to end (it collides with the preferred host only if both pick the same copy
   * within a hint's latency). Not when it has nothing open and only `need` held copies: those are most
   * likely being taken by their preferred host right now (a lone fresh copy is not raced for) — unless a
   * run only this peer can make (`localDemand`) has found nothing but held copies for too long (starving.ts).
   */
  *available(reactor: ReactorId, name: string, need = 1, localDemand = false): Generator<DistributedMolecule> {
    const held: DistributedMolecule[] = [];
    let open = 0;
    for (const m of this.#o.fresh.copies(reactor, name, this.#o.leader())) {
      if (this.#inflight.has(m.id) || this.#spent.has(m.id) || this.#o.claimedHere(m.id)) continue;
      if (this.#o.fresh.isYoung(m.id) || this.#o.preferred(m)) {
        open++;
        yield m;
      } else if (held.length < MAX_STOLEN) held.push(m);
    }
    // Open copies whose preferred host is another peer come after ours: once their grace ended every host
    // may take any copy, and hosts picking at random among all of them collide with copies consumed a moment
    // ago that their replica has not applied yet (most refused claims in bench/app at load 20). Taking our
    // own first, each host mostly takes copies nobody else reaches for; only a host that ran out of its own
    // steals. The replica keeps them sorted (copy-bag.ts): no copy is hashed per attempt.
    const replica = this.#ctx.rlog.replica;
    for (const m of replica.openCopies(reactor, name, this.#ctx.random.next(), this.#o.preference)) {
      if (this.#inflight.has(m.id) || this.#spent.has(m.id) || this.#isHinted(m.id) || this.#o.claimedHere(m.id)) continue;
      open++;
      yield m;
    }
    // The held part is walked lazily: enough to decide (more than `need`), then only as far as the caller reads.
    const rest = open < need ? replica.heldCopies(reactor, name, this.#ctx.random.next()) : null;
    const free = (m: DistributedMolecule): boolean => !this.#inflight.has(m.id) && !this.#spent.has(m.id) && !this.#isHinted(m.id) && !this.#o.claimedHere(m.id);
    if (rest) for (let r = rest.next(); held.length <= need && !r.done; r = rest.next()) if (free(r.value)) held.push(r.value);
    const starved = localDemand && this.#starving.update(`${reactor}\u0000${name}`, open, held.length);
    if (!rest || !(open > 0 || held.length > need || starved)) return;
    yield* held;
    let stolen = held.length;
    for (const m of rest) {
      if (stolen >= MAX_STOLEN) return;
      if (free(m)) {
        stolen++;
        yield m;
      }
    }
  }


  async claim(leader: LeaderInfo | null, reactor: ReactorId, reaction: string, ids: readonly MoleculeId[]): Promise<ClaimGrant | null> {
    if (!leader || (ids.length > 1 && new Set(ids).size !== ids.length)) return null;
    const replica = this.#ctx.rlog.replica;
    for (const id of ids) {
      const present = replica.isAvailable(id) || this.#o.fresh.has(id, leader);
      if (!present || this.#inflight.has(id) || this.#spent.has(id) || this.#isHinted(id)) return null;
    }
    // One copy of the ids, shared by the grant, the claim and the commit (none of them changes it).
    const own = ids.slice();
    const grant: ClaimGrant = { claimId: this.#o.ids.claim(), reactor, reaction, ids: own, epoch: leader.epoch };
    const claim = msg('claim', { epoch: leader.epoch, claimId: grant.claimId, ids: own });
    const held: Held = { grant, leader: leader.leader, state: 'asked', lastSent: this.#ctx.clock.now(), claim };
    this.#held.set(grant.claimId, held);
    for (const id of ids) this.#inflight.add(id);
    this.#ctx.send(leader.leader, claim);
    // Optimistic: run the body at once; the commit, sent after the claim on the same ordered link, is
    // only accepted if the claim was granted. Confirmed: wait for the grant (long or costly bodies).
    if (this.#o.mode === 'optimistic') return grant;
    const { clock, timings } = this.#ctx;
    const ok = await new Promise<boolean>((resolve) => {
      held.confirm = resolve;
      // No answer (lost message, sequencer gone): give the claim back rather than wait forever.
      clock.setTimeout(() => resolve(false), 4 * timings.resendMs);
    });
    held.confirm = undefined;
    if (ok && held.state === 'granted') return grant;
    if (this.#held.has(grant.claimId)) this.release(grant);
    return null;
  }

  onClaimResult(from: PeerId, m: MessageOf<'claim-result'>): void {
    const held = this.#held.get(m.claimId);
    if (!held || held.leader !== from || held.state !== 'asked') return;
    held.state = m.ok ? 'granted' : 'rejected';
    held.confirm?.(m.ok);
    this.#answer(held, m.ok);
    if (!m.ok && !held.commit) this.#finish(held, false, false);
  }

  /** Resolves once the sequencer answered the claim (true: granted), or with false once it ended unanswered. */
  decided(grant: ClaimGrant): Promise<boolean> {
    const held = this.#held.get(grant.claimId);
    if (!held || held.state === 'rejected') return Promise.resolve(false);
    if (held.state !== 'asked') return Promise.resolve(true);
    return new Promise((resolve) => (held.waiters ??= []).push(resolve));
  }

  #answer(held: Held, granted: boolean): void {
    const waiters = held.waiters;
    held.waiters = undefined;
    for (const w of waiters ?? []) w(granted);
  }

  commit(grant: ClaimGrant, outputs: readonly DistributedOutput[]): Promise<boolean> {
    const held = this.#held.get(grant.claimId);
    if (!held || held.state === 'rejected') {
      if (held) this.#finish(held, false);
      return Promise.resolve(false);
    }
    let produced = NO_MOLECULES;
    let replies = NO_REPLIES;
    for (const o of outputs) {
      if (o.kind === 'molecule') (produced === NO_MOLECULES ? (produced = []) : produced).push({ id: producedMoleculeId(grant.claimId, produced.length), reactor: o.reactor, name: o.name, value: o.value });
      else (replies === NO_REPLIES ? (replies = []) : replies).push({ to: o.to, callId: o.callId, value: o.value });
    }
    held.commit = msg('commit', { epoch: grant.epoch, claimId: grant.claimId, reaction: grant.reaction, consumed: grant.ids as MoleculeId[], produced, replies });
    held.state = 'committing';
    held.lastSent = this.#ctx.clock.now();
    // The body finished in the turn that claimed (an optimistic claim of an instant body): the claim has not
    // left yet, so the commit goes in its place and makes the claim itself — one message to encode, relay,
    // check and handle instead of two, and no claim in the sequencer's table between them. A resend is the
    // plain commit (its claim, if the first send was lost, is gone with it: refused, like a lost claim).
    const claim = held.claim;
    held.claim = undefined;
    const c = held.commit;
    const folded = claim && msg('commit', { epoch: c.epoch, claimId: c.claimId, reaction: c.reaction, consumed: c.consumed, produced: c.produced, replies: c.replies, claim: true });
    if (claim && this.#ctx.replace(held.leader, claim, folded as MessageOf<'commit'>)) held.folded = true;
    else this.#ctx.send(held.leader, c);
    return new Promise<boolean>((resolve) => (held.resolve = resolve));
  }

  release(grant: ClaimGrant): void {
    const held = this.#held.get(grant.claimId);
    if (!held || held.state === 'committing') return;
    this.#ctx.send(held.leader, msg('release', { epoch: grant.epoch, claimId: grant.claimId }));
    this.#finish(held, false, false);
  }

  /** The reactor was unloaded: give back every claim of it whose body has not committed. */
  releaseReactor(reactor: ReactorId): void {
    for (const held of [...this.#held.values()]) if (held.grant.reactor === reactor) this.release(held.grant);
  }

  onCommitResult(from: PeerId, m: MessageOf<'commit-result'>): void {
    const held = this.#held.get(m.claimId);
    if (held?.state !== 'committing' || held.leader !== from) return;
    // A refused commit may leave a claim behind (it arrived after the commit, on a reordering link) — not one
    // that carried its claim: the sequencer granted that claim with the commit and dropped it with the refusal.
    if (m.ok) this.#spend(held.grant);
    else if (!held.folded) this.#ctx.send(from, msg('release', { epoch: held.grant.epoch, claimId: held.grant.claimId }));
    this.#finish(held, m.ok);
  }

  onHint(m: MessageOf<'claimed'>, leader: LeaderInfo | null): void {
    if (leader && m.epoch < leader.epoch) return;
    for (const id of m.ids) {
      if (m.taken) this.#hinted.set(id, { epoch: m.epoch, at: this.#ctx.clock.now() });
      else if (this.#hinted.delete(id)) this.#notifyId(id);
    }
  }

  call(callId: string): Promise<unknown> {
    return new Promise((resolve) => this.#calls.set(callId, resolve));
  }

  onApplied(a: AppliedEntry): void {
    const e = a.entry;
    if (e.type === 'commit') {
      for (const id of e.consumed) {
        this.#hinted.delete(id);
        this.#spent.delete(id);
      }
      const held = this.#held.get(e.claimId);
      if (held) this.#finish(held, true);
      for (const r of a.replies) {
        if (r.to !== this.#ctx.self) continue;
        const resolve = this.#calls.get(r.callId);
        this.#calls.delete(r.callId);
        resolve?.(r.value);
      }
    } else if (e.type === 'term') {
      // Every entry of an older epoch that will ever commit is before this one: the rest are fenced.
      for (const held of [...this.#held.values()]) if (held.grant.epoch < e.epoch) this.#fence(held);
      for (const [id, h] of this.#hinted) if (h.epoch < e.epoch && this.#hinted.delete(id)) this.#notifyId(id);
      for (const [id, epoch] of this.#spent) if (epoch < e.epoch && this.#spent.delete(id)) this.#notifyId(id);
    }
  }

  /**
   * After a snapshot install: commits folded into it are decided (true) even though never applied here;
   * a snapshot whose last entry is of a newer epoch contains that epoch's term entry, which fences the rest.
   */
  reconcile(): void {
    const replica = this.#ctx.rlog.replica;
    for (const [id, epoch] of [...this.#spent]) if (!replica.isAvailable(id) || epoch < replica.appliedEpoch) this.#spent.delete(id);
    for (const held of [...this.#held.values()]) {
      if (replica.committedClaim(held.grant.claimId)) this.#finish(held, true);
      else if (replica.appliedEpoch > held.grant.epoch) this.#fence(held);
    }
  }

  /** Resend commits still undecided and renew the claims of running bodies. */
  tick(now: number): void {
    const { timings } = this.#ctx;
    for (const held of this.#held.values()) {
      if (held.state === 'committing' && held.commit && now - held.lastSent >= timings.resendMs) {
        held.lastSent = now;
        this.#ctx.send(held.leader, held.commit);
      }
    }
    if (now - this.#lastRenew < timings.claimTtlMs / 3) return;
    this.#lastRenew = now;
    for (const id of [...this.#hinted.keys()]) if (!this.#isHinted(id)) this.#notifyId(id);
    const byLeader = new Map<PeerId, { epoch: Epoch; ids: ClaimId[] }>();
    for (const held of this.#held.values()) {
      if (held.state === 'rejected') continue;
      const b = byLeader.get(held.leader) ?? { epoch: held.grant.epoch, ids: [] };
      b.ids.push(held.grant.claimId);
      byLeader.set(held.leader, b);
    }
    for (const [leader, b] of byLeader) this.#ctx.send(leader, msg('renew', { epoch: b.epoch, claimIds: b.ids }));
  }

  /** A newer term decided that this claim's commit never happens (or, with its body still running, never will). */
  #fence(held: Held): void {
    if (held.state === 'committing') this.#finish(held, false);
    else held.state = 'rejected';
    held.confirm?.(false);
    this.#answer(held, false);
  }

  /**
   * A hint is trusted for two claim lifetimes: the "free again" hint can be lost (partition), and then the
   * copy would look taken forever. Trying a copy that is still claimed only costs a refused claim.
   */
  #isHinted(id: MoleculeId): boolean {
    const h = this.#hinted.get(id);
    if (!h) return false;
    if (this.#ctx.clock.now() - h.at < 2 * this.#ctx.timings.claimTtlMs) return true;
    this.#hinted.delete(id);
    return false;
  }

  #finish(held: Held, ok: boolean, record = true): void {
    if (!this.#held.delete(held.grant.claimId)) return;
    this.#answer(held, ok);
    for (const id of held.grant.ids) this.#inflight.delete(id);
    if (record) this.#ctx.record({ type: ok ? 'commit-acknowledged' : 'commit-fenced', claimId: held.grant.claimId, reaction: held.grant.reaction });
    held.resolve?.(ok);
    if (ok) return;
    // A copy known only from an emit on its way (ours, or a peer's fresh notice) that the sequencer refused:
    // the emit may never arrive (lost, or its emitter stopped before it was durable — soak seed 53846 claimed
    // such a copy every 7 ms for good). Forget it here; if the emit is appended after all, the copy comes
    // back through the log like any other.
    for (const id of held.grant.ids) {
      if (!this.#ctx.rlog.replica.get(id)) this.#o.fresh.delete(id);
      this.#notifyId(id);
    }
  }

  /** Our commit of `grant` is decided (true) and not applied here yet: see #spent. */
  #spend(grant: ClaimGrant): void {
    for (const id of grant.ids) {
      // Known only from an emit on its way (fresh.ts): it is gone for good, whenever the emit arrives.
      if (!this.#ctx.rlog.replica.get(id)) this.#o.fresh.delete(id);
      if (this.#spent.size >= MAX_SPENT) this.#spent.clear();
      this.#spent.set(id, grant.epoch);
    }
  }

  #notifyId(id: MoleculeId): void {
    const m = this.#ctx.rlog.replica.get(id);
    if (m && this.#ctx.rlog.replica.isAvailable(id)) this.#o.notify(m.reactor, m.name);
  }
}
