// Server limits and the per-connection rate limiter. Every limit answers with an error frame, never a crash.

export interface Limits {
  /** Largest frame accepted, in bytes. Larger frames get a `too-large` error (and are dropped). */
  maxMessageBytes: number;
  /** Sustained frames per second per connection (token bucket; bursts up to the same number). */
  messagesPerSecond: number;
  maxPeersPerRoom: number;
  maxConnections: number;
  /** Interval of WebSocket pings; a socket that misses one full interval is dropped. */
  pingIntervalMs: number;
  /** Leadership lease validity; the holder renews before it runs out. */
  leaseTtlMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  // Room transports chunk data at 64 KiB for the relay; 1 MiB leaves room for signaling and base64 overhead.
  maxMessageBytes: 1024 * 1024,
  // High enough for relayed bulk data (64 KiB frames) yet cheap to enforce.
  messagesPerSecond: 2000,
  maxPeersPerRoom: 64,
  maxConnections: 2000,
  pingIntervalMs: 2000,
  leaseTtlMs: 1500,
};

/** A token bucket: `take()` is false when the connection sends faster than the sustained rate allows. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
  ) {
    this.#tokens = ratePerSecond;
    this.#last = now();
  }

  take(): boolean {
    const t = this.now();
    this.#tokens = Math.min(this.ratePerSecond, this.#tokens + ((t - this.#last) / 1000) * this.ratePerSecond);
    this.#last = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
