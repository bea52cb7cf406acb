// The serving sequencer of one epoch. It orders every request into the log, replicates it, and
// acknowledges only what a majority of the configuration in effect has durably stored (an acknowledged
// operation survives any minority of crashes and every later sequencer adopts it). It grants claims
// (volatile, fenced by epoch and expiry) and validates every commit against the log's state at its position.
import { type ClaimId, type Epoch, type MoleculeId, NO_EPOCH, type PeerId } from '../core/ids';
import { ClaimHints } from './claim-hints';
import { ClaimTable } from './claims';
import { flushGap, majorityIndex, type RoomContext } from './context';
import { claimOwnedBy, emitKey, emittedMoleculeId, ownedBy, producedMoleculeId } from './ids';
import type { CommitEntry, Entry } from './entries';
import { named } from './genesis';
import { msg, type MessageOf } from './messages';
import type { AppliedEntry } from './replica';
import { waitingOn } from './learner';
import { Membership } from './membership';
import { RecentMap } from './recent';

interface Follower {
  next: number;
  match: number;
  /** When `match` last advanced (or we last retransmitted): unacknowledged entries are resent after resendMs. */
  progressAt: number;
  /**
   * The highest commit index our appends let this replica apply: min(commitIndex, the last index the
   * message vouches for). A replica clamps the commit index to what the message covers (Raft's rule), so a
   * commit decided before its own ack arrived is not yet applicable there; its ack then triggers a bump.
   */
  told: number;
  /** When we last sent it a heartbeat (an append, empty when there is nothing new). */
  beatAt: number;
}

/**
 * Entries sent to a replica per call (a flush, an ack), entries in flight per replica (flow control,
 * Raft-style pipelining), and entries per append message: a call's entries leave as several appends (one
 * frame still: the room batches a turn's messages per peer), so a replica handles them as separate pieces
 * of input — a process behind on its input reads them across turns and its timers run in between (inbound.ts).
 */
const MAX_BATCH = 256;
const MAX_IN_FLIGHT = 1024;
const APPEND_ENTRIES = 32;

const MAX_DECIDED = 10_000;

export class Sequencer {
  readonly epoch: Epoch;
  readonly #ctx: RoomContext;
  readonly #claims = new ClaimTable();
  readonly #followers = new Map<PeerId, Follower>();
  readonly #pending = new Map<string, PeerId>();
  /** Claim results of this turn, sent as it ends (#answerClaim). */
  #claimAnswers: { holder: PeerId; claimId: ClaimId; ok: boolean }[] = [];
  readonly #decided = new RecentMap<string, boolean>(MAX_DECIDED);
  readonly membership: Membership;
  #selfMatch = 0;
  #termIndex = Infinity;
  #lastBeat = -Infinity;
  #flushQueued = false;
  #flushCommit = false;
  #lastFlush = -Infinity;
  #stopped = false;
  readonly #hints: ClaimHints;

  constructor(ctx: RoomContext, epoch: Epoch, left: ReadonlySet<PeerId>) {
    this.#ctx = ctx;
    this.epoch = epoch;
    this.membership = new Membership(ctx, left);
    this.#hints = new ClaimHints(ctx, epoch, this.#claims, () => this.#stopped);
  }

  get claims(): ClaimTable {
    return this.#claims;
  }

  /** Open the term: the new-term entry (plus the first configuration when the room's history starts now). */
  start(): void {
    const { rlog, self } = this.#ctx;
    this.#selfMatch = rlog.log.lastIndex;
    // An empty log with no history named: the room's history starts here, under a new genesis id.
    const genesis = rlog.log.lastIndex === 0 && this.#ctx.histories.ours() === null ? this.#ctx.histories.create() : null;
    const entries: Entry[] = [{ type: 'term', epoch: this.epoch, leader: self, ...named(genesis) }];
    if (rlog.replica.membersInEffect.length === 0) entries.push({ type: 'config', epoch: this.epoch, members: [self] });
    this.#termIndex = this.#propose(entries);
    this.#ctx.record({ type: 'leading', epoch: this.epoch, lastIndex: rlog.log.lastIndex });
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Append, replicate, and count our own durable copy once the store has it. Returns the first index. */
  #propose(entries: readonly Entry[]): number {
    const log = this.#ctx.rlog.log;
    const first = log.lastIndex + 1;
    const last = first + entries.length - 1;
    this.#ctx.rlog.append(entries).then(
      () => {
        if (this.#stopped) return;
        this.#selfMatch = Math.max(this.#selfMatch, last);
        this.#advance();
      },
      () => undefined /* not durable here: never counted, never acknowledged */,
    );
    this.#queueFlush(false);
    return first;
  }

  #follower(p: PeerId): Follower {
    let f = this.#followers.get(p);
    if (!f) this.#followers.set(p, (f = { next: this.#ctx.rlog.log.lastIndex + 1, match: 0, progressAt: this.#ctx.clock.now(), told: 0, beatAt: -Infinity }));
    return f;
  }

  #replicate(p: PeerId, force: boolean): void {
    const { rlog, self } = this.#ctx;
    const f = this.#follower(p);
    const last = rlog.log.lastIndex;
    if (f.next <= rlog.log.keptBase) {
      const s = rlog.stateFrom(f.next);
      if (!s.snapshot) return;
      this.#ctx.send(p, msg('snapshot', { epoch: this.epoch, owner: this.#ctx.owner, leader: self, snapshot: s.snapshot, entries: s.entries, commitIndex: rlog.commitIndex, ...named(this.#ctx.histories.ours()) }));
      f.next = last + 1;
      return;
    }
    if (f.next > last || f.next - f.match > MAX_IN_FLIGHT) {
      // Nothing new, or the window is full: a forced call still carries the commit index, anchored at the
      // last index known to match (so it never fails the consistency check for entries still in flight).
      if (force) this.#send(p, f.match >= rlog.log.keptBase ? f.match : f.next - 1, []);
      return;
    }
    const entries = rlog.log.sliceKept(f.next, f.next + MAX_BATCH - 1);
    for (let i = 0; i < entries.length; i += APPEND_ENTRIES) this.#send(p, f.next - 1 + i, entries.slice(i, i + APPEND_ENTRIES));
    f.next += entries.length; // pipelining: assume it arrives; an ack with ok=false rewinds
  }

  #send(p: PeerId, prevIndex: number, entries: Entry[]): void {
    const rlog = this.#ctx.rlog;
    const f = this.#follower(p);
    f.told = Math.max(f.told, Math.min(rlog.commitIndex, prevIndex + entries.length));
    const prevEpoch = rlog.log.keptEpochAt(prevIndex) ?? NO_EPOCH;
    this.#ctx.send(p, msg('append', { epoch: this.epoch, owner: this.#ctx.owner, leader: this.#ctx.self, prevIndex, prevEpoch, entries, commitIndex: rlog.commitIndex, durable: this.#selfMatch, ...named(this.#ctx.histories.ours()) }));
  }

  onAck(from: PeerId, m: MessageOf<'append-ack'>): void {
    if (m.epoch > this.epoch) return this.#ctx.observeEpoch(m.epoch);
    // Our ballot refused: the same epoch promised to another owner means a newer term is needed; an older
    // one means the replica has not learned of our election yet (our appends are retransmitted).
    if (m.refused) return m.epoch >= this.epoch ? this.#ctx.observeEpoch(m.epoch) : undefined;
    if (m.epoch !== this.epoch) return;
    this.membership.heard(from);
    const f = this.#follower(from);
    if (m.ok) {
      if (m.matchIndex > f.match) f.progressAt = this.#ctx.clock.now();
      f.match = Math.max(f.match, m.matchIndex);
      f.next = Math.max(f.next, f.match + 1);
      this.#advance();
      this.#replicate(from, false); // keep the pipeline full
      // Its ack may be the first that covers an entry committed without it (a majority acked first): tell
      // it the commit index now rather than at the next heartbeat (up to heartbeatMs of added latency). Not
      // when this ack advanced the commit index: the queued flush tells everyone.
      if (!this.#flushCommit && Math.min(this.#ctx.rlog.commitIndex, f.match) > f.told && f.match >= this.#ctx.rlog.log.base) this.#send(from, f.match, []);
    } else {
      f.next = Math.max(1, Math.min(f.next, m.hint));
      this.#replicate(from, true);
    }
  }

  #advance(): void {
    if (this.#stopped) return;
    const { rlog, self, faults } = this.#ctx;
    const members = rlog.replica.membersInEffect;
    const match = (p: PeerId): number => (p === self ? this.#selfMatch : (this.#followers.get(p)?.match ?? 0));
    const n = faults.skipQuorum ? this.#selfMatch : majorityIndex(members, match);
    // Only an entry of our own term is committed by counting (Raft §5.4.2); earlier ones follow it.
    if (n <= rlog.commitIndex || rlog.log.epochAt(n) !== this.epoch) return;
    rlog.commitTo(n);
    this.#queueFlush(true);
  }

  /**
   * Send new entries (and, with `commit`, the new commit index even to replicas with nothing new) once this
   * turn is over: the requests of one incoming burst — an emit and the claim and commit that consume it —
   * leave as one append per replica, a copy consumed in the same burst never looks free, and a fast store
   * has made the entries durable here by then (the append says so, and a replica counts it: learner.ts).
   * In a larger room flushes are paced (flushGap): every flush costs one frame per replica, so a busy
   * sequencer batches the entries of a few milliseconds into one append instead of one per turn.
   */
  #queueFlush(commit: boolean): void {
    this.#flushCommit ||= commit;
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    const flush = (): void => {
      this.#flushQueued = false;
      this.#lastFlush = this.#ctx.clock.now();
      const force = this.#flushCommit;
      this.#flushCommit = false;
      if (!this.#stopped) for (const p of this.#ctx.peers()) this.#replicate(p, force);
    };
    const wait = this.#lastFlush + flushGap(this.#ctx.peers().length) - this.#ctx.clock.now();
    if (wait > 0) this.#ctx.clock.setTimeout(flush, wait);
    else this.#ctx.defer(flush);
  }

  /** Called for every entry the replica applies while we lead: acknowledge commits to their holders. */
  onApplied(a: AppliedEntry): void {
    if (a.entry.type !== 'commit') return;
    this.#hints.forget(a.entry.consumed);
    const holder = this.#pending.get(a.entry.claimId);
    if (holder === undefined) return;
    this.#pending.delete(a.entry.claimId);
    this.#decide(a.entry.claimId, holder, true);
  }

  tick(now: number): void {
    if (this.#stopped) return;
    const { rlog, timings } = this.#ctx;
    if (now - this.#lastBeat >= timings.heartbeatMs) {
      this.#lastBeat = now;
      const voters = rlog.replica.membersInEffect;
      for (const p of this.#ctx.peers()) {
        const f = this.#follower(p);
        // Retransmit what stayed unacknowledged for a resend period (lost messages, a replica back online).
        if (f.match < rlog.log.lastIndex && now - f.progressAt >= timings.resendMs) {
          f.next = Math.min(f.next, f.match + 1);
          f.progressAt = now;
        }
        // A voter with the whole log and the commit index learns nothing from a beat: it gets one every
        // idleHeartbeatMs only, so an idle room costs O(N) frames per second at a low rate, not 40·N. (Who
        // leads is the lease's business, not the beat's: a dead sequencer is replaced when its lease ends.)
        const idle = f.match >= rlog.log.lastIndex && f.told >= rlog.commitIndex && voters.includes(p);
        if (idle && now - f.beatAt < timings.idleHeartbeatMs) continue;
        f.beatAt = now;
        this.#replicate(p, true);
      }
    }
    for (const c of this.#claims.expired(now)) this.#dropClaim(c.claimId, 'expired');
    const change = this.membership.next(now, rlog.commitIndex >= this.#termIndex, (p) => this.#follower(p).match);
    if (change) this.#propose([{ type: 'config', epoch: this.epoch, members: change }]);
  }

  onEmit(from: PeerId, m: MessageOf<'emit'>): void {
    const replica = this.#ctx.rlog.replica;
    const entries: Entry[] = [];
    const seen = new Set<string>();
    for (const { source, seq, molecule } of m.items) {
      // A peer emits only under its own sources (`<peer id>~<incarnation>`): a borrowed source is refused.
      if (!ownedBy(source, from)) {
        this.#ctx.refused(from, `emit under source ${source}`);
        continue;
      }
      const key = emitKey(source, seq);
      if (molecule.id !== emittedMoleculeId(source, seq) || seen.has(key) || replica.isDelivered(source, seq)) continue;
      seen.add(key);
      entries.push({ type: 'emit', epoch: this.epoch, source, seq, molecule });
    }
    if (entries.length) this.#propose(entries);
  }

  onClaim(from: PeerId, m: MessageOf<'claim'>): void {
    // Claim ids name their holder: another peer's (predictable) next id is never squatted.
    if (!claimOwnedBy(m.claimId, from)) return this.#ctx.refused(from, `claim under id ${m.claimId}`);
    const ok = this.#grant(from, m.epoch, m.claimId, m.ids);
    this.#answerClaim(from, m.claimId, ok);
    if (ok) this.#hints.queue(m.ids, true);
  }

  /** The same rules for a claim of its own and one a commit makes (`claim: true`). */
  #grant(from: PeerId, epoch: Epoch, claimId: ClaimId, ids: readonly MoleculeId[]): boolean {
    const { rlog, clock, timings } = this.#ctx;
    const ok =
      epoch === this.epoch &&
      ids.every((id) => rlog.replica.isAvailable(id)) &&
      this.#claims.grant({ claimId, holder: from, ids, epoch: this.epoch, expiresAt: clock.now() + timings.claimTtlMs });
    if (ok) this.#ctx.record({ type: 'claim-granted', claimId, holder: from, epoch: this.epoch, ids });
    return ok;
  }

  onRenew(from: PeerId, m: MessageOf<'renew'>): void {
    if (m.epoch !== this.epoch) return;
    const until = this.#ctx.clock.now() + this.#ctx.timings.claimTtlMs;
    for (const id of m.claimIds) this.#claims.renew(id, from, until);
  }

  onRelease(from: PeerId, m: MessageOf<'release'>): void {
    if (this.#claims.get(m.claimId)?.holder === from) this.#dropClaim(m.claimId, 'released');
  }

  onCommit(from: PeerId, m: MessageOf<'commit'>): void {
    const { rlog, clock, faults } = this.#ctx;
    // Only a claim's holder may decide its fate: a forged commit must not record "refused" for its id.
    if (!claimOwnedBy(m.claimId, from)) return this.#ctx.refused(from, `commit under claim id ${m.claimId}`);
    const known = this.#decided.get(m.claimId);
    if (known !== undefined) return void this.#ctx.send(from, msg('commit-result', { claimId: m.claimId, ok: known }));
    if (this.#pending.has(m.claimId)) return; // a resend while the entry replicates
    // A commit that makes its claim (requester.ts): claimed here and now, by the rules of a claim (no answer:
    // the commit's fate is the answer). It is never a second claim of one id.
    if (m.claim === true && !this.#claims.get(m.claimId)) this.#grant(from, m.epoch, m.claimId, m.consumed);
    const claim = this.#claims.get(m.claimId);
    const live =
      claim !== undefined &&
      claim.holder === from &&
      claim.epoch === this.epoch &&
      m.epoch === this.epoch &&
      claim.expiresAt > clock.now() &&
      sameIds(claim.ids, m.consumed);
    const valid =
      (m.consumed.length < 2 || new Set(m.consumed).size === m.consumed.length) &&
      m.consumed.every((id) => rlog.replica.isAvailable(id)) &&
      m.produced.every((p, i) => p.id === producedMoleculeId(m.claimId, i) && rlog.replica.get(p.id) === undefined);
    if (!valid || !(live || faults.skipFencing)) {
      if (claim?.holder === from) this.#dropClaim(m.claimId, 'rejected');
      return this.#decide(m.claimId, from, false);
    }
    const entry: CommitEntry = {
      type: 'commit',
      epoch: this.epoch,
      claimId: m.claimId,
      holder: from,
      reaction: m.reaction,
      consumed: m.consumed,
      produced: m.produced,
      replies: m.replies,
    };
    this.#claims.drop(m.claimId); // consumed by the entry now; its fate is the entry's
    this.#pending.set(m.claimId, from);
    // Whoever waits on the append that carries the commit (learner.ts: its holder and the receivers of its
    // replies): in a room of three (a waiter's own copy and ours are a majority) theirs leave first. In a
    // larger room a waiter needs another replica's acknowledgement too, so the others' appends go as before.
    if (rlog.replica.membersInEffect.length <= 3) for (const p of waitingOn([entry], [])) this.#ctx.hurry(p);
    const index = this.#propose([entry]);
    this.#ctx.record({ type: 'commit-appended', claimId: m.claimId, claimEpoch: claim?.epoch ?? null, epoch: this.epoch, index, claimLive: live });
  }

  /** The peer left or its link died: its claims end now, so its inputs return to the room. */
  onPeerGone(p: PeerId, left: boolean): void {
    for (const c of this.#claims.heldBy(p)) this.#dropClaim(c.claimId, 'holder-gone');
    this.membership.gone(p, left, this.#ctx.clock.now());
  }

  /**
   * A claim's result leaves with the rest of the turn's messages, unless the claim's commit came in the same
   * burst (an optimistic holder sends claim + commit together): the holder is past waiting for the grant then
   * (requester.ts ignores it), and the commit's own outcome tells it everything — before, one claim-result
   * per reaction went out unread.
   */
  #answerClaim(holder: PeerId, claimId: ClaimId, ok: boolean): void {
    if (this.#claimAnswers.length === 0) this.#ctx.beforeFlush(() => this.#sendClaimAnswers());
    this.#claimAnswers.push({ holder, claimId, ok });
  }

  #sendClaimAnswers(): void {
    const answers = this.#claimAnswers;
    this.#claimAnswers = [];
    for (const a of answers) {
      if (this.#pending.has(a.claimId) || this.#decided.has(a.claimId)) continue;
      this.#ctx.send(a.holder, msg('claim-result', { claimId: a.claimId, ok: a.ok }));
    }
  }

  /**
   * Record a commit's fate and tell its holder when it was refused. An accepted one is not told: the holder
   * learns it from the log (learner.ts: the append with the acknowledgements forwarded to it) before any
   * commit-result could arrive — one message per reaction that was always read after the fact. A holder that
   * has not learned it resends its commit (requester.ts), and a resend is answered from `#decided`.
   */
  #decide(claimId: ClaimId, holder: PeerId, ok: boolean): void {
    this.#decided.set(claimId, ok);
    if (!ok) this.#ctx.send(holder, msg('commit-result', { claimId, ok }));
  }

  #dropClaim(claimId: ClaimId, reason: string): void {
    const c = this.#claims.drop(claimId);
    if (!c) return;
    this.#ctx.record({ type: 'claim-dropped', claimId, reason });
    this.#hints.queue(c.ids, false);
  }
}

function sameIds(a: readonly MoleculeId[], b: readonly MoleculeId[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 1) return a[0] === b[0];
  const s = new Set(a);
  return b.every((id) => s.has(id));
}
