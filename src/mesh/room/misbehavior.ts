// Peers that keep sending what we refuse (malformed room frames, protocol messages that fail validation,
// values past the limits) are cut off: past `threshold` refusals inside one `windowMs`, the room drops the peer
// for `coolDownMs` — its direct links close, nothing it sends is read, it shows as "misbehaving" — and then
// takes it back the next time it is heard from. An honest peer never comes close: it sends nothing we refuse,
// except across a version skew, which the threshold absorbs for a while.
import type { PeerId } from '../../core/ids';

export interface MisbehaviorOptions {
  /** Refused messages within one window that cut a peer off. */
  readonly threshold: number;
  readonly windowMs: number;
  /** How long a cut-off peer stays cut off before it may rejoin. */
  readonly coolDownMs: number;
}

export const DEFAULT_MISBEHAVIOR: MisbehaviorOptions = { threshold: 50, windowMs: 10_000, coolDownMs: 30_000 };

interface Tally {
  windowStart: number;
  count: number;
  /** Cut off until this time (0: not cut off). */
  until: number;
}

export class Misbehavior {
  readonly #tallies = new Map<PeerId, Tally>();
  /** Peers cut off so far (for stats). */
  cutOffs = 0;

  constructor(private readonly opts: MisbehaviorOptions = DEFAULT_MISBEHAVIOR) {}

  /** Count one refused message from `peer`; true exactly when this refusal cuts it off. */
  refused(peer: PeerId, now: number): boolean {
    let t = this.#tallies.get(peer);
    if (!t) this.#tallies.set(peer, (t = { windowStart: now, count: 0, until: 0 }));
    if (t.until > now) return false; // already cut off
    if (now - t.windowStart >= this.opts.windowMs) {
      t.windowStart = now;
      t.count = 0;
    }
    if (++t.count < this.opts.threshold) return false;
    t.until = now + this.opts.coolDownMs;
    t.count = 0;
    t.windowStart = t.until;
    this.cutOffs++;
    return true;
  }

  /** Cut off right now (its cool-down has not run out). */
  isCutOff(peer: PeerId, now: number): boolean {
    const t = this.#tallies.get(peer);
    if (!t || t.until === 0) return false;
    if (t.until > now) return true;
    this.#tallies.delete(peer); // served its time: a clean slate
    return false;
  }

  /** Forget a peer that left for good (keeps the table bounded by the peers we have met recently). */
  forget(peer: PeerId, now: number): void {
    if (!this.isCutOff(peer, now)) this.#tallies.delete(peer);
  }
}
