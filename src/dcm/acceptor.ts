// The replica role every peer plays (the sequencer too, towards the next one): it promises epochs,
// accepts the current sequencer's log after a consistency check, acknowledges only what is durable in its
// store, and answers a new sequencer's recovery (promise + log position, then the log itself).
import type { PeerId } from '../core/ids';
import type { RoomContext } from './context';
import { Learner, waitingOn } from './learner';
import { msg, type MessageOf } from './messages';

export interface LeaderInfo {
  readonly leader: PeerId;
  readonly epoch: number;
}

export class Acceptor {
  readonly #ctx: RoomContext;
  readonly #onLeader: (l: LeaderInfo) => void;
  #leader: LeaderInfo | null = null;
  readonly #learner = new Learner();
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
   * A message from a sequencer of `epoch`: stale ones are refused, newer ones are promised first. The
   * promise is recorded at once and its write queued ahead of any later write, so every acknowledgement
   * sent after a later write resolves implies the promise is durable too. Synchronous on purpose: messages
   * from one sequencer are handled strictly in arrival order.
   */
  #admit(epoch: number): Promise<void> | null {
    if (epoch < this.#ctx.promised()) return null;
    if (epoch === this.#ctx.promised()) return Promise.resolve();
    this.#ctx.observeEpoch(epoch);
    return this.#ctx.promise(epoch);
  }

  #follow(leader: PeerId, epoch: number): void {
    this.#learner.follow(leader, epoch);
    if (this.#leader?.leader === leader && this.#leader.epoch === epoch) return;
    this.#leader = { leader, epoch };
    this.#onLeader(this.#leader);
  }

  async onAppend(from: PeerId, m: MessageOf<'append'>): Promise<void> {
    const { ctx, rlog } = { ctx: this.#ctx, rlog: this.#ctx.rlog };
    if (from !== m.leader || this.#admit(m.epoch) === null) {
      ctx.send(from, msg('append-ack', { epoch: ctx.promised(), ok: false, matchIndex: 0, hint: 0 }));
      return;
    }
    this.#follow(m.leader, m.epoch);
    if (m.durable !== undefined) this.#learner.leaderStored(m.durable);
    const r = rlog.accept(m.prevIndex, m.prevEpoch, m.entries);
    if (r.ok) {
      this.#learner.accepted(r.matchIndex);
      rlog.commitTo(Math.min(m.commitIndex, r.matchIndex));
    }
    try {
      await r.durable;
    } catch {
      return; // not durable: no acknowledgement (the store reported the error); the sequencer resends
    }
    const ack = msg('append-ack', { epoch: m.epoch, ok: r.ok, matchIndex: r.matchIndex, hint: r.hint });
    if (this.#needsAck(m.entries.length, r.ok, m.epoch, r.matchIndex)) ctx.send(from, ack);
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
  #needsAck(entries: number, ok: boolean, epoch: number, matchIndex: number): boolean {
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

  async onSnapshot(from: PeerId, m: MessageOf<'snapshot'>): Promise<void> {
    const ctx = this.#ctx;
    if (from !== m.leader || this.#admit(m.epoch) === null) {
      ctx.send(from, msg('append-ack', { epoch: ctx.promised(), ok: false, matchIndex: 0, hint: 0 }));
      return;
    }
    this.#follow(m.leader, m.epoch);
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

  async onRecover(from: PeerId, m: MessageOf<'recover'>): Promise<void> {
    const ctx = this.#ctx;
    const admitted = this.#admit(m.epoch);
    const ok = admitted !== null;
    if (ok) {
      try {
        await admitted;
      } catch {
        return; // the promise is not durable: do not promise
      }
    }
    if (ok && this.#leader && this.#leader.epoch < m.epoch) this.#leader = null;
    const { log, replica } = ctx.rlog;
    ctx.send(
      from,
      msg('promise', {
        epoch: ok ? m.epoch : ctx.promised(),
        ok: ok && m.epoch === ctx.promised(),
        lastIndex: log.lastIndex,
        lastEpoch: log.lastEpoch,
        commitIndex: ctx.rlog.commitIndex,
        base: log.base,
        members: [...replica.membersInEffect],
      }),
    );
  }

  onFetch(from: PeerId, m: MessageOf<'fetch'>): void {
    const ctx = this.#ctx;
    if (m.epoch !== ctx.promised()) return;
    const s = ctx.rlog.stateFrom(m.from);
    ctx.send(from, msg('fetched', { epoch: m.epoch, snapshot: s.snapshot, prevIndex: s.prevIndex, prevEpoch: s.prevEpoch, entries: s.entries }));
  }
}
