// Exponential backoff with full jitter (AWS style): retries spread out instead of stampeding a restarted server.
import type { Random } from '../core/clock';

export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 200, maxMs: 5000 };

export class Backoff {
  #attempt = 0;

  constructor(
    private readonly random: Random,
    private readonly opts: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  /** Delay before the next attempt; grows with every call until reset(). Never below half of minMs. */
  next(): number {
    const ceiling = Math.min(this.opts.maxMs, this.opts.minMs * 2 ** this.#attempt);
    this.#attempt++;
    return ceiling / 2 + this.random.next() * (ceiling / 2);
  }

  reset(): void {
    this.#attempt = 0;
  }

  get attempts(): number {
    return this.#attempt;
  }
}
