// Learning a commit without waiting for the sequencer to announce it. Every append says how far the
// sequencer's own store holds its log (`durable`), and a replica that receives an append carrying a commit
// someone waits for (the claim's holder, a blocking caller its reply goes to) sends its acknowledgement to
// that peer as well as to the sequencer. A replica counts that evidence for the current term plus its own
// durable copy: once a majority of the configuration in effect stores an entry of the current term, the
// entry and everything before it are committed — Raft's commit rule, evaluated by a learner with the same
// facts the leader counts. In a room of three, the emitter of a molecule it consumes itself learns the
// commit one round trip after sending it (its own copy plus the sequencer's make a majority).
import type { Epoch, PeerId } from '../core/ids';
import { majorityIndex } from './context';
import type { Entry } from './entries';

/** Peers beyond the sequencer an append's acknowledgement is also sent to (bounds the fan-out). */
const MAX_LEARNERS = 8;

/** Who is waiting for the entries of an append: holders of its commits and the receivers of their replies. */
export function waitingOn(entries: readonly Entry[], except: readonly PeerId[]): PeerId[] {
  let out: Set<PeerId> | null = null; // an append without a commit (emits, beats) allocates nothing
  for (const e of entries) {
    if (e.type !== 'commit') continue;
    out ??= new Set<PeerId>();
    out.add(e.holder);
    for (const r of e.replies) out.add(r.to);
  }
  if (!out) return [];
  for (const p of except) out.delete(p);
  return [...out].slice(0, MAX_LEARNERS);
}

export class Learner {
  #leader: PeerId | null = null;
  #epoch = -1;
  /** Highest index our log is known to share with this term's sequencer (its appends vouched for it). */
  #matched = 0;
  /** Highest index of this term's appends our store has made durable. */
  #durable = 0;
  readonly #acks = new Map<PeerId, number>();

  /** Following `leader` in `epoch` now: evidence gathered in another term counts for nothing. */
  follow(leader: PeerId, epoch: Epoch): void {
    if (this.#leader === leader && this.#epoch === epoch) return;
    this.#leader = leader;
    this.#epoch = epoch;
    this.#matched = 0;
    this.#durable = 0;
    this.#acks.clear();
  }

  get epoch(): number {
    return this.#epoch;
  }

  accepted(matchIndex: number): void {
    this.#matched = Math.max(this.#matched, matchIndex);
  }

  madeDurable(matchIndex: number): void {
    this.#durable = Math.max(this.#durable, matchIndex);
  }

  /** The sequencer says its own store holds its log up to `index` (the append's `durable`). */
  leaderStored(index: number): void {
    if (this.#leader !== null && (this.#acks.get(this.#leader) ?? 0) < index)
      this.#acks.set(this.#leader, index);
  }

  /** Another replica durably stores this term's log up to `matchIndex`. */
  acked(from: PeerId, epoch: Epoch, matchIndex: number): boolean {
    if (epoch !== this.#epoch || from === this.#leader) return false;
    if ((this.#acks.get(from) ?? 0) >= matchIndex) return false;
    this.#acks.set(from, matchIndex);
    return true;
  }

  /**
   * The highest index a majority of `members` is known to store in this term, or 0. Only an entry of this
   * term is committed by counting (`epochAt`), and never beyond what our own log shares with the sequencer.
   */
  committable(
    self: PeerId,
    members: readonly PeerId[],
    epochAt: (i: number) => Epoch | undefined,
    skipQuorum = false,
  ): number {
    const mine = Math.min(this.#matched, this.#durable);
    const n = skipQuorum
      ? mine
      : Math.min(
          this.#matched,
          majorityIndex(members, (p) => (p === self ? mine : (this.#acks.get(p) ?? 0))),
        );
    return n > 0 && epochAt(n) === this.#epoch ? n : 0;
  }
}
