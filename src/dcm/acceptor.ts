// The replica role every peer plays (the sequencer too, towards the next one): it promises epochs,
// accepts the current sequencer's log after a consistency check, acknowledges only what is durable in its
// store, and answers a new sequencer's recovery (promise + log position, then the log itself).
import type { Epoch, PeerId } from '../core/ids';
import { MAX_EPOCH, type RoomContext } from './context';
import { named } from './genesis';
import { ownedBy } from './ids';
import { Learner, waitingOn } from './learner';
import { msg, type MessageOf } from './messages';

export interface LeaderInfo {
  readonly leader: PeerId;
  readonly epoch: Epoch;
}

export class Acceptor {
  readonly #ctx: RoomContext;
  readonly #onLeader: (l: LeaderInfo) => void;
  #leader: LeaderInfo | null = null;
  readonly #learner = new Learner();
  /** A promise write is in flight: ballot messages queue in `#waiting` until it lands. */
  #promising = false;
  readonly #waiting: (() => void)[] = [];
  /** The last recovery we promised (a later "start a new history" tells its candidate again). */
  #recovering: { readonly from: PeerId; readonly m: MessageOf<'recover'> } | null = null;
  /** Our last acknowledgement to the sequencer we follow: its epoch, match index and time. */
  #lastAck = { epoch: -1, matchIndex: -1, at: -Infinity };

  constructor(ctx: RoomContext, onLeader: (l: LeaderInfo) => void) {
    this.#ctx = ctx;
    this.#onLeader = onLeader;
  }

  /** The serving sequencer this replica follows (learned from its appends). */
  get leader(): LeaderInfo | null {
    return this.#leader;
  }

  forgetLeader(): void {
    this.#leader = null;
  }

  /**
   * Whether a ballot (epoch, owner) sent by `from` may be acted on: 'same' (the one promised), 'raise' (a
   * newer ballot to promise first) or 'refuse'. Link-authenticated: the owner must be the sender. A newer
   * ballot must come from the peer the election names (when it names anyone) and stay within a bounded
   * step of every epoch known here; one epoch number promised to one owner is refused to every other.
   */
  #judge(from: PeerId, epoch: Epoch, owner: string): 'same' | 'raise' | 'refuse' {
    const ctx = this.#ctx;
    const f = ctx.faults;
    const promised = ctx.promised();
    if (!ownedBy(owner, from)) return ctx.refused(from, 'ballot owned by another peer'), 'refuse';
    if (epoch < promised) return f.admitOlderEpochs ? 'same' : 'refuse';
    if (epoch === promised) return f.trustServerEpochs || owner === ctx.promisedOwner() ? 'same' : 'refuse';
    if (epoch > ctx.ceiling() || epoch >= MAX_EPOCH) return ctx.refused(from, `epoch ${epoch} jumps past ${ctx.ceiling()}`), 'refuse';
    const elected = ctx.elected();
    if (elected !== null && elected !== from) return 'refuse'; // not (yet) elected: it asks again
    return 'raise';
  }

  /**
   * Act on a message of ballot (epoch, owner): `handle(true)` once the ballot is the promised one — a newer
   * ballot is promised durably first — or `handle(false)` when refused. While a promise write is in flight,
   * later ballot messages wait behind it in arrival order (a sequencer's messages are handled in order).
   */
  #ballot(from: PeerId, epoch: Epoch, owner: string, handle: (admitted: boolean) => void): void {
    if (this.#promising) return void this.#waiting.push(() => this.#ballot(from, epoch, owner, handle));
    const verdict = this.#judge(from, epoch, owner);
    if (verdict !== 'raise') return handle(verdict === 'same');
    this.#ctx.observeEpoch(epoch);
    this.#promising = true;
    const done = (ok: boolean): void => {
      this.#promising = false;
      handle(ok && this.#judge(from, epoch, owner) === 'same');
      while (!this.#promising && this.#waiting.length > 0) this.#waiting.shift()?.();
    };
    this.#ctx.promise(epoch, owner).then(done, () => done(false));
  }

  #follow(leader: PeerId, epoch: Epoch): void {
    this.#learner.follow(leader, epoch);
    if (this.#leader?.leader === leader && this.#leader.epoch === epoch) return;
    this.#leader = { leader, epoch };
    this.#onLeader(this.#leader);
  }

  onAppend(from: PeerId, m: MessageOf<'append'>): void {
    if (from !== m.leader) return this.#refuse(from);
    this.#ballot(from, m.epoch, m.owner, (ok) => (ok ? void this.#append(from, m) : this.#refuse(from)));
  }

  /** Our answer to a message whose ballot we do not accept: the epoch we promised (a newer one makes the sender step down). */
  #refuse(to: PeerId): void {
    this.#ctx.send(to, msg('append-ack', { epoch: this.#ctx.promised(), ok: false, matchIndex: 0, hint: 0, refused: true }));
  }

  async #append(from: PeerId, m: MessageOf<'append'>): Promise<void> {
    const { ctx, rlog } = { ctx: this.#ctx, rlog: this.#ctx.rlog };
    this.#follow(m.leader, m.epoch);
    if (m.durable !== undefined) this.#learner.leaderStored(m.durable);
    ctx.histories.join(m.genesis); // a replica without history takes the sequencer's (one write group)
    const r = rlog.accept(m.prevIndex, m.prevEpoch, m.entries);
    if (r.ok) {
      this.#learner.accepted(r.matchIndex);
      rlog.commitTo(Math.min(m.commitIndex, r.matchIndex));
    }
    const ack = msg('append-ack', { epoch: m.epoch, ok: r.ok, matchIndex: r.matchIndex, hint: r.hint });
    if (ctx.faults.ackBeforeDurable && this.#needsAck(m.entries.length, r.ok, m.epoch, r.matchIndex)) ctx.send(from, ack);
    try {
      await r.durable;
    } catch {
      return; // not durable: no acknowledgement, ever (the store failed: the replica stops)
    }
    if (!ctx.faults.ackBeforeDurable && this.#needsAck(m.entries.length, r.ok, m.epoch, r.matchIndex)) ctx.send(from, ack);
    if (!r.ok || this.#learner.epoch !== m.epoch) return;
    // A waiting replica counts its own copy and the sequencer's: in a room of three that is a majority
    // once the sequencer's copy covers the append, and our acknowledgement would tell it nothing.
    const members = ctx.rlog.replica.membersInEffect;
    const enough = m.durable !== undefined && m.durable >= r.matchIndex && members.length <= 3;
    for (const p of waitingOn(m.entries, [ctx.self, from])) if (!(enough && members.includes(p))) ctx.send(p, ack);
    this.#learner.madeDurable(r.matchIndex);
    this.#learn();
  }

  /**
   * An append without entries that tells us nothing new to report (a commit-index notice) needs no answer
   * when we answered recently: the answer would repeat our match index. Heartbeats are still answered
   * (the sequencer's liveness view), and so is everything that failed or moved our match index.
   */
  #needsAck(entries: number, ok: boolean, epoch: Epoch, matchIndex: number): boolean {
    const now = this.#ctx.clock.now();
    const last = this.#lastAck;
    const repeat = entries === 0 && ok && epoch === last.epoch && matchIndex <= last.matchIndex && now - last.at < this.#ctx.timings.heartbeatMs / 2;
    if (repeat) return false;
    if (ok) this.#lastAck = { epoch, matchIndex: epoch === last.epoch ? Math.max(matchIndex, last.matchIndex) : matchIndex, at: now };
    return true;
  }

  /** Another replica's acknowledgement of an append that carried a commit we wait for (learner.ts). */
  onPeerAck(from: PeerId, m: MessageOf<'append-ack'>): void {
    if (m.ok && this.#leader?.epoch === m.epoch && this.#learner.acked(from, m.epoch, m.matchIndex)) this.#learn();
  }

  #learn(): void {
    const { rlog, self } = this.#ctx;
    const n = this.#learner.committable(self, rlog.replica.membersInEffect, (i) => rlog.log.epochAt(i), this.#ctx.faults.learnWithoutQuorum);
    if (n > rlog.commitIndex) rlog.commitTo(n);
  }

  onSnapshot(from: PeerId, m: MessageOf<'snapshot'>): void {
    if (from !== m.leader) return this.#refuse(from);
    this.#ballot(from, m.epoch, m.owner, (ok) => (ok ? void this.#install(from, m) : this.#refuse(from)));
  }

  async #install(from: PeerId, m: MessageOf<'snapshot'>): Promise<void> {
    const ctx = this.#ctx;
    this.#follow(m.leader, m.epoch);
    ctx.histories.join(m.genesis);
    const r = ctx.rlog.install(m.snapshot, m.entries);
    if (r.ok) {
      this.#learner.accepted(r.matchIndex);
      ctx.rlog.commitTo(Math.min(m.commitIndex, r.matchIndex));
    }
    try {
      await r.durable;
    } catch {
      return;
    }
    ctx.send(from, msg('append-ack', { epoch: m.epoch, ok: r.ok, matchIndex: r.matchIndex, hint: r.hint }));
  }

  onRecover(from: PeerId, m: MessageOf<'recover'>): void {
    this.#ballot(from, m.epoch, m.owner, (ok) => {
      const ctx = this.#ctx;
      if (ok) this.#recovering = { from, m };
      if (ok && this.#leader && this.#leader.epoch < m.epoch) this.#leader = null;
      const { log, replica } = ctx.rlog;
      ctx.send(
        from,
        msg('promise', {
          epoch: ok ? m.epoch : ctx.promised(),
          ok,
          lastIndex: log.lastIndex,
          lastEpoch: log.lastEpoch,
          commitIndex: ctx.rlog.commitIndex,
          base: log.base,
          members: [...replica.membersInEffect],
          ...named(ctx.histories.ours()),
          ...(ctx.histories.mayStart ? { mayStart: true } : {}),
        }),
      );
    });
  }

  /**
   * This peer may now start the room's history (the user chose a new one): a candidate still recovering
   * under the ballot we promised hears it again, with `mayStart` — a candidate that may not start a history
   * itself starts it on our word (recovery.ts), instead of waiting for good.
   */
  restatePromise(): void {
    const r = this.#recovering;
    if (r && r.m.epoch === this.#ctx.promised() && !this.#leader) this.onRecover(r.from, r.m);
  }

  /** Only the owner of the ballot we promised may read our log under it. */
  onFetch(from: PeerId, m: MessageOf<'fetch'>): void {
    const ctx = this.#ctx;
    if (m.epoch !== ctx.promised() || (!ownedBy(ctx.promisedOwner(), from) && !ctx.faults.trustServerEpochs)) return;
    const s = ctx.rlog.stateFrom(m.from);
    ctx.send(from, msg('fetched', { epoch: m.epoch, snapshot: s.snapshot, prevIndex: s.prevIndex, prevEpoch: s.prevEpoch, entries: s.entries, ...named(ctx.histories.ours()) }));
  }
}
