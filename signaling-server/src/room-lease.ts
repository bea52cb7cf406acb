// The leadership lease of one room (ZooKeeper ephemeral-node style), as a pure state machine driven by the
// server: it never reads the clock itself, so tests drive time explicitly.
//
// Rules (the safety argument for the sequencer election in src/dcm):
// - one holder at a time; every grant gets an epoch strictly above every epoch this room has seen, including
//   the `minEpoch` candidates report, so epochs stay monotonic across server restarts;
// - the holder counts validity from when it *sent* its request, the server from when it *received* it, so the
//   server's view of expiry is never earlier than the holder's own;
// - the lease goes to someone else only after `ttlMs` has passed since the last renewal, or at once when the
//   holder releases it cleanly (lease-release or a leave frame). A dead socket is not a clean release: its
//   holder may still be running and believe it holds the lease until its own TTL runs out.

export interface LeaseSnapshot {
  readonly holder: string | null;
  readonly epoch: number;
  readonly ttlMs: number;
}

export type LeaseOutcome =
  /** Everyone in the room should learn the new state (grant, hand-over, loss). */
  | { readonly kind: 'changed'; readonly state: LeaseSnapshot }
  /** Only the requester needs an answer (a renewal, or "someone else holds it"). */
  | { readonly kind: 'reply'; readonly state: LeaseSnapshot };

export class SignalLease {
  #holder: string | null = null;
  #epoch = 0;
  #maxEpoch = 0;
  #renewedAt = 0;
  /** Peers waiting for the lease, in request order: the next holder when it frees up. */
  readonly #candidates = new Set<string>();

  /** `floor`: the highest epoch this room ever granted (from the durable room record); grants go above it. */
  constructor(
    readonly ttlMs: number,
    floor = 0,
  ) {
    this.#maxEpoch = floor;
  }

  snapshot(): LeaseSnapshot {
    return { holder: this.#holder, epoch: this.#epoch, ttlMs: this.ttlMs };
  }

  /** When the current grant runs out, by the server's clock (null when nobody holds it). */
  expiresAt(): number | null {
    return this.#holder === null ? null : this.#renewedAt + this.ttlMs;
  }

  request(peer: string, minEpoch: number, now: number): LeaseOutcome {
    this.#maxEpoch = Math.max(this.#maxEpoch, minEpoch, this.#epoch);
    if (this.#holder === peer) {
      this.#renewedAt = now;
      return { kind: 'reply', state: this.snapshot() };
    }
    if (this.#holder === null || now - this.#renewedAt > this.ttlMs) return this.#grant(peer, now);
    this.#candidates.add(peer);
    return { kind: 'reply', state: this.snapshot() };
  }

  /** A clean release by the holder hands the lease on at once; from anyone else it just withdraws a request. */
  release(peer: string, now: number): LeaseOutcome | null {
    this.#candidates.delete(peer);
    if (this.#holder !== peer) return null;
    return this.#handOver(now);
  }

  /** The peer's socket died: it stops being a candidate, but a holder keeps the lease until its TTL passes. */
  disconnected(peer: string): void {
    this.#candidates.delete(peer);
  }

  /** Called when the grant's TTL has passed without renewal (the server schedules this at expiresAt()). */
  expire(now: number, isConnected: (peer: string) => boolean): LeaseOutcome | null {
    if (this.#holder === null || now - this.#renewedAt < this.ttlMs) return null;
    for (const c of [...this.#candidates]) if (!isConnected(c)) this.#candidates.delete(c);
    return this.#handOver(now);
  }

  #handOver(now: number): LeaseOutcome {
    const next = this.#candidates.values().next();
    if (!next.done) return this.#grant(next.value, now);
    this.#holder = null;
    return { kind: 'changed', state: this.snapshot() };
  }

  #grant(peer: string, now: number): LeaseOutcome {
    this.#candidates.delete(peer);
    this.#epoch = this.#maxEpoch = Math.max(this.#maxEpoch, this.#epoch) + 1;
    this.#holder = peer;
    this.#renewedAt = now;
    return { kind: 'changed', state: this.snapshot() };
  }
}
