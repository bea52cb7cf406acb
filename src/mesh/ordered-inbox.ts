// Per-sender ordering for the room. Each link is ordered by itself, but the room may switch a peer from one
// link to a better one (relay → WebRTC) while messages are still in flight on the old link. Room messages carry
// a per-pair sequence number; this puts them back in order, and skips a gap that does not fill in time (its
// message died with the old link).
//
// Bounded: at most MAX_HELD messages wait for a gap to fill. A sender that skips a number and keeps sending
// (nothing honest does: its messages are only ever ahead by what was in flight on the old link) has the ones
// past the bound dropped — lost messages, which the protocol above resends — instead of growing our memory.
import type { Clock, TimerHandle } from '../core/clock';

/** Messages held behind a gap, per sender: a link switch holds what crossed the old link's latency (≪ 1,000). */
export const MAX_HELD = 1024;

export class OrderedInbox<T> {
  #expected = 0;
  readonly #held = new Map<number, T>();
  #gapTimer: TimerHandle | null = null;
  /** Messages dropped because MAX_HELD were already waiting behind a gap. */
  dropped = 0;

  constructor(
    private readonly deliver: (value: T) => void,
    private readonly clock: Clock,
    private readonly gapTimeoutMs = 500,
  ) {}

  /** The sender started a new session (its `hi`): sequence numbers restart at 0. */
  reset(): void {
    this.#expected = 0;
    this.#held.clear();
    this.#clearTimer();
  }

  push(seq: number, value: T): void {
    if (seq === this.#expected) {
      this.#expected++;
      this.deliver(value);
      if (this.#held.size) this.#drain();
      return;
    }
    if (seq < this.#expected || this.#held.has(seq)) return; // a duplicate from the old link
    if (this.#held.size >= MAX_HELD) {
      this.dropped++;
      return;
    }
    this.#held.set(seq, value);
    this.#arm();
  }

  #arm(): void {
    this.#gapTimer ??= this.clock.setTimeout(() => {
      this.#gapTimer = null;
      this.#expected = lowest(this.#held.keys());
      this.#drain();
    }, this.gapTimeoutMs);
  }

  #drain(): void {
    let next = this.#held.get(this.#expected);
    while (next !== undefined || this.#held.has(this.#expected)) {
      this.#held.delete(this.#expected);
      this.#expected++;
      this.deliver(next as T);
      next = this.#held.get(this.#expected);
    }
    if (this.#held.size === 0) this.#clearTimer();
    else this.#arm();
  }

  #clearTimer(): void {
    if (this.#gapTimer) this.clock.clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
  }

  dispose(): void {
    this.reset();
  }
}

/** The smallest key (a loop: spreading thousands of keys into Math.min overflows the call stack). */
function lowest(keys: Iterable<number>): number {
  let min = Infinity;
  for (const k of keys) if (k < min) min = k;
  return min;
}
