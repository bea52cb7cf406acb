// A new sequencer's first phase (Vertical Paxos: the external master picked us, now we read the previous
// configuration). It collects promises — after which no replica accepts an older epoch — and log positions
// from a majority of the configuration in effect, adopts the most advanced log among them (fetching it),
// and repeats with the configuration of the adopted log until both agree. Only then may it serve.
// A position counts only from a member of a configuration we know (a key holder outside the room cannot
// offer a log), and a fetched log only if it reaches the position its sender claimed and is shaped like an
// honest log (fetched-check.ts); a promiser whose log fails that, or never arrives, is passed over for this
// term (its promise no longer counts), and when the rest cannot make a majority the term is given up.
import type { Epoch, PeerId } from '../core/ids';
import { isMajority, type RoomContext } from './context';
import { fetchedProblem } from './fetched-check';
import { named } from './genesis';
import { OperationLog } from './log';
import { msg, type MessageOf } from './messages';

/** Fetches of one promiser's log left unanswered (lost, or answered with a message that does not parse) before it is passed over. */
const FETCH_ATTEMPTS = 4;
/** A recovery not complete after this many resend periods gives its term back (when others could lead). */
const PATIENCE_RESENDS = 12;

interface Position {
  readonly lastIndex: number;
  readonly lastEpoch: Epoch;
  readonly members: readonly PeerId[];
  /** The history it holds (absent: none, or a store from before histories were named). */
  readonly genesis?: string | undefined;
  /** The promiser may start the room's history (the room's creator, or its user chose a new history). */
  readonly mayStart?: boolean | undefined;
}

export class Recovery {
  readonly #ctx: RoomContext;
  readonly epoch: Epoch;
  readonly #promises = new Map<PeerId, Position>();
  readonly #startedAt: number;
  readonly #firstEpoch: boolean;
  /** Members of our own log when we started: a majority of them must have promised too. */
  readonly #initialMembers: readonly PeerId[];
  #fetching: { from: PeerId; at: number; index: number } | null = null;
  /** Unanswered fetches per promiser, and the promisers passed over for this term. */
  readonly #attempts = new Map<PeerId, number>();
  readonly #passedOver = new Set<PeerId>();
  #ready = false;
  #promising = false;
  /** Peers that refused our ballot: they may hold history, so we never start a new one while they do. */
  readonly #refusedBy = new Set<PeerId>();
  #lastAsked = -Infinity;
  #gaveUp = false;

  constructor(ctx: RoomContext, epoch: Epoch, firstEpoch: boolean) {
    this.#ctx = ctx;
    this.epoch = epoch;
    this.#firstEpoch = firstEpoch;
    this.#startedAt = ctx.clock.now();
    this.#initialMembers = [...ctx.rlog.replica.membersInEffect];
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Promise to ourselves, ask everyone reachable; called again on every tick to retry the silent ones. */
  async tick(): Promise<void> {
    const ctx = this.#ctx;
    if (!this.#promises.has(ctx.self)) {
      // Our own ballot is written durably before anyone is asked for it: a restart never reuses it.
      if (this.#promising) return;
      this.#promising = true;
      const ok = await ctx.promise(this.epoch, ctx.owner).finally(() => (this.#promising = false));
      if (ctx.promised() > this.epoch || (ctx.promised() === this.epoch && ctx.promisedOwner() !== ctx.owner && !ctx.faults.trustServerEpochs)) return ctx.observeEpoch(ctx.promised()); // passed: a newer term
      if (!ok) return;
      this.#promises.set(ctx.self, this.#mine());
    }
    const now = ctx.clock.now();
    if (now - this.#lastAsked >= ctx.timings.heartbeatMs) {
      this.#lastAsked = now;
      // A term that does not complete, waiting on members that are not even linked (or were passed over)
      // while other peers are, is given back: those members may be gone for good (our log is stale: the
      // configuration moved on without us), or a promiser we passed over only lost messages (a new term asks
      // it again). The lease goes to the next candidate, whose configuration may be the current one.
      if (now - this.#startedAt > PATIENCE_RESENDS * ctx.timings.resendMs && !this.#gaveUp && this.#unreachable()) {
        this.#gaveUp = true;
        ctx.log('recovery: giving term', this.epoch, 'back, not complete after', now - this.#startedAt, 'ms');
        return ctx.observeEpoch(this.epoch);
      }
      for (const p of ctx.peers()) if (!this.#promises.has(p)) ctx.send(p, msg('recover', { epoch: this.epoch, owner: ctx.owner, ...named(ctx.histories.ours()) }));
      const f = this.#fetching;
      if (f && now - f.at > ctx.timings.resendMs) {
        this.#fetching = null;
        const n = (this.#attempts.get(f.from) ?? 0) + 1;
        this.#attempts.set(f.from, n);
        if (n >= FETCH_ATTEMPTS) return this.#passOver(f.from, `no log after ${n} fetches`, false);
      }
    }
    this.#evaluate();
  }

  onPromise(from: PeerId, m: MessageOf<'promise'>): void {
    // Refused with our epoch or a newer one: that number is someone else's (or passed): ask for a newer term.
    // Refused with an older one: the replica does not know we were elected yet; we ask again.
    if (!m.ok) this.#refusedBy.add(from);
    if (!m.ok && m.epoch >= this.epoch) return this.#ctx.observeEpoch(m.epoch);
    if (!m.ok || m.epoch !== this.epoch || this.#passedOver.has(from)) return;
    this.#refusedBy.delete(from);
    // No entry of our term exists before we serve it: a log reaching it is invented.
    if (m.lastEpoch >= this.epoch) return this.#passOver(from, `promise of a log at epoch ${m.lastEpoch} for term ${this.epoch}`, true);
    this.#promises.set(from, { lastIndex: m.lastIndex, lastEpoch: m.lastEpoch, members: m.members, genesis: m.genesis, mayStart: m.mayStart });
    this.#evaluate();
  }

  onFetched(from: PeerId, m: MessageOf<'fetched'>): void {
    const asked = this.#fetching;
    const claimed = this.#promises.get(from);
    if (m.epoch !== this.epoch || asked?.from !== from || !claimed) return;
    this.#fetching = null;
    const problem = fetchedProblem(m, claimed, this.epoch, asked.index);
    if (problem) return this.#passOver(from, `fetched log: ${problem}`, true);
    const rlog = this.#ctx.rlog;
    this.#ctx.histories.join(m.genesis); // a fresh candidate takes the history it adopts (one write group)
    const r = m.snapshot ? rlog.install(m.snapshot, m.entries) : rlog.accept(m.prevIndex, m.prevEpoch, m.entries, true);
    if (!r.ok) return this.#passOver(from, 'fetched log does not follow our committed prefix', true);
    // Our log now equals the fetched one; the write must be durable before it counts as our position.
    r.durable.then(
      () => {
        this.#promises.set(this.#ctx.self, this.#mine());
        this.#evaluate();
      },
      () => undefined,
    );
  }

  /**
   * Stop counting `from` for this term: its promise is dropped, so the majority must form without it and
   * the log adopted is the best among the others. `misbehaved`: it sent something no honest peer sends
   * (counted toward cutting it off); otherwise it just did not deliver. When the peers left cannot form a
   * majority of a configuration we need, the term cannot complete: give it up (the election picks again);
   * when they could but do not, the tick gives it up after PATIENCE_RESENDS.
   */
  #passOver(from: PeerId, why: string, misbehaved: boolean): void {
    const ctx = this.#ctx;
    if (from === ctx.self || this.#passedOver.has(from)) return;
    this.#passedOver.add(from);
    this.#promises.delete(from);
    if (this.#fetching?.from === from) this.#fetching = null;
    if (misbehaved) ctx.refused(from, why);
    else ctx.log('recovery: passing over', from, why);
    const possible = (members: readonly PeerId[]): boolean => members.length === 0 || isMajority(members, (p) => !this.#passedOver.has(p));
    if (!possible(ctx.rlog.replica.membersInEffect) || !possible(this.#initialMembers)) return ctx.observeEpoch(this.epoch);
    this.#evaluate();
  }

  /**
   * Other peers are linked, but not a majority of a configuration we must hear from (ours, or the one we
   * started with): its members are gone, perhaps for good, while someone else could lead.
   */
  #unreachable(): boolean {
    const ctx = this.#ctx;
    const linked = new Set([ctx.self, ...ctx.peers()]);
    if (linked.size === 1) return false;
    const reachable = (members: readonly PeerId[]): boolean => members.length === 0 || isMajority(members, (p) => linked.has(p) && !this.#passedOver.has(p));
    return !reachable(ctx.rlog.replica.membersInEffect) || !reachable(this.#initialMembers);
  }

  #mine(): Position {
    const { log, replica } = this.#ctx.rlog;
    return { lastIndex: log.lastIndex, lastEpoch: log.lastEpoch, members: [...replica.membersInEffect], genesis: this.#ctx.histories.ours() ?? undefined };
  }

  #evaluate(): void {
    const ctx = this.#ctx;
    const mine = this.#promises.get(ctx.self);
    if (this.#ready || !mine) return;
    if (ctx.faults.skipRecovery) {
      this.#ready = true;
      return;
    }
    // Only promises of our history count (or of none: a fresh peer, an unnamed older store); a fresh
    // candidate adopts the history of the most advanced log it was promised.
    const ours = ctx.histories.ours();
    const counts = (pos: Position): boolean => !ours || !pos.genesis || pos.genesis === ours;
    // Positions count from members of a configuration we know: ours now, or the one we started with. With
    // no history of our own there is none to check against, so a promiser must at least be a member of the
    // configuration it reports (docs/security.md says what a lying member can still do).
    const known = new Set([...mine.members, ...this.#initialMembers]);
    const member = (p: PeerId, pos: Position): boolean => (known.size > 0 ? known.has(p) : pos.members.includes(p));
    let best: [PeerId, Position] = [ctx.self, mine];
    for (const [p, pos] of this.#promises) if (counts(pos) && member(p, pos) && OperationLog.compare(pos, best[1]) > 0) best = [p, pos];
    if (best[0] !== ctx.self) {
      if (!this.#fetching) {
        const index = ctx.rlog.commitIndex + 1;
        this.#fetching = { from: best[0], at: ctx.clock.now(), index };
        ctx.send(best[0], msg('fetch', { epoch: this.epoch, from: index }));
      }
      return;
    }
    const have = (p: PeerId): boolean => {
      const pos = this.#promises.get(p);
      return pos !== undefined && counts(pos);
    };
    if (mine.members.length === 0) {
      // Nobody we heard from has any history. Only a peer allowed to start one (the room's creator:
      // `newHistory`, or the user's explicit `startNewHistory()`) ever does, and never one that already
      // belongs to a history (named in its store) whose entries it lacks: it waits for their holders.
      // Epoch 1 is the room's very first term (as far as the server knows — it may have forgotten): start
      // the history once every linked peer promised and none has history, or after soloBootstrapMs with no
      // link at all. A refusal means a peer may hold history under a newer ballot (a fresh joiner after a
      // server restart): never start over then, we get a newer term. Otherwise history may exist on peers
      // we cannot reach yet; wait (bootstrapAfterMs) before starting over.
      // The lease may pick a peer that opened the link while the creator is linked: the creator's promise says
      // it may start one (`mayStart`), and we start it on its word — else the room waited for good.
      const creator = [...this.#promises].some(([p, pos]) => p !== ctx.self && pos.mayStart === true && pos.members.length === 0 && !pos.genesis);
      if (!ctx.histories.mayStart && !(creator && ours === null)) return;
      // A promiser reported history it may not offer (not a member of its own configuration): wait, as we
      // would for its configuration's members, rather than start a second history beside it.
      if ([...this.#promises.values()].some((pos) => counts(pos) && pos.members.length > 0)) return;
      const waited = ctx.clock.now() - this.#startedAt;
      const linked = ctx.peers();
      const heardAll = linked.length > 0 && (linked.every(have) || waited >= ctx.timings.resendMs) && !linked.some((p) => this.#refusedBy.has(p));
      const alone = linked.length === 0 && waited >= ctx.timings.soloBootstrapMs;
      this.#ready = (this.#firstEpoch && (heardAll || alone)) || waited >= ctx.timings.bootstrapAfterMs;
      return;
    }
    this.#ready = isMajority(mine.members, have) && (this.#initialMembers.length === 0 || isMajority(this.#initialMembers, have));
  }
}
