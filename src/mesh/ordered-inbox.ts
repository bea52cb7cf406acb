// Per-sender ordering for the room. Each link is ordered by itself, but the room may switch a peer from one
// link to a better one (relay → WebRTC) while messages are still in flight on the old link. Room messages carry
// a per-pair sequence number; this puts them back in order, and skips a gap that does not fill in time (its
// message died with the old link).
import type { Clock, TimerHandle } from '../core/clock';

export class OrderedInbox<T> {
  #expected = 0;
  readonly #held = new Map<number, T>();
  #gapTimer: TimerHandle | null = null;

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
    this.#held.set(seq, value);
    this.#arm();
  }

  #arm(): void {
    this.#gapTimer ??= this.clock.setTimeout(() => {
      this.#gapTimer = null;
      this.#expected = Math.min(...this.#held.keys());
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
