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
  /** Open connections from one remote address (so one client cannot fill the server or a room). */
  maxConnectionsPerAddress: number;
  /** Sustained joins per second from one remote address (token bucket; bursts up to twice this). */
  joinsPerSecondPerAddress: number;
  /**
   * The same two limits for loopback addresses (127.0.0.0/8, ::1). Separate because behind a reverse proxy on
   * the same host every client arrives from loopback, and local tests open many peers from one address.
   */
  loopbackConnectionsPerAddress: number;
  loopbackJoinsPerSecond: number;
  /** Room records kept (memory, --data file, this instance's copy with Redis); the least recently seen closed room goes first. */
  maxRoomRecords: number;
  /** With Redis: a room record not touched (join, lease, history) for this many seconds expires there. */
  roomRecordTtlSeconds: number;
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
  // A household or office behind one NAT rarely has more than a few dozen tabs in rooms at once.
  maxConnectionsPerAddress: 64,
  joinsPerSecondPerAddress: 10,
  loopbackConnectionsPerAddress: 2000,
  loopbackJoinsPerSecond: 1000,
  maxRoomRecords: 100_000,
  roomRecordTtlSeconds: 30 * 86400,
};

/** Open connections and the join budget of one remote address. */
interface AddressState {
  connections: number;
  readonly joins: TokenBucket;
  /** When its last connection closed (kept a while so reconnecting does not refill the join budget). */
  idleSince: number;
}

/** An address without connections is forgotten after this long (its join bucket has refilled by then). */
const IDLE_FORGET_MS = 10_000;

/**
 * Per-address limits: at most N open connections per address, and a join rate. An address's state outlives its
 * last connection by IDLE_FORGET_MS (so closing and reopening sockets does not reset the join budget), then
 * `sweep()` forgets it and the table follows live clients.
 */
export class AddressLimits {
  readonly #byAddress = new Map<string, AddressState>();

  constructor(
    private readonly limits: Limits,
    private readonly now: () => number,
  ) {}

  /** A connection opened from `address`; null when it is one too many (the caller refuses and closes it). */
  open(address: string): { joinAllowed: () => boolean; close: () => void } | null {
    const loopback = isLoopback(address);
    const max = loopback ? this.limits.loopbackConnectionsPerAddress : this.limits.maxConnectionsPerAddress;
    let state = this.#byAddress.get(address);
    if (state && state.connections >= max) return null;
    if (!state) {
      const rate = loopback ? this.limits.loopbackJoinsPerSecond : this.limits.joinsPerSecondPerAddress;
      state = { connections: 0, joins: new TokenBucket(rate, this.now, 2 * rate), idleSince: 0 };
      this.#byAddress.set(address, state);
    }
    state.connections++;
    const s = state;
    let open = true;
    return {
      joinAllowed: () => s.joins.take(),
      close: () => {
        if (!open) return;
        open = false;
        if (--s.connections === 0) s.idleSince = this.now();
      },
    };
  }

  /** Forget addresses idle for a while (called from the server's periodic sweep). */
  sweep(): void {
    const t = this.now();
    for (const [address, s] of this.#byAddress) if (s.connections === 0 && t - s.idleSince >= IDLE_FORGET_MS) this.#byAddress.delete(address);
  }

  get addresses(): number {
    return this.#byAddress.size;
  }
}

export function isLoopback(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a.startsWith('127.');
}

/** A token bucket: `take()` is false when the connection sends faster than the sustained rate allows. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  readonly #burst: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
    burst = ratePerSecond,
  ) {
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now();
  }

  take(): boolean {
    const t = this.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((t - this.#last) / 1000) * this.ratePerSecond);
    this.#last = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
