// The signaling server's lease, simulated: the server's own SignalLease state machine behind message delays,
// with the server process that can be taken down (signaling-server loss) and brought back.
import type { Random } from '../../src/core/clock';
import { asEpoch, asPeerId, type PeerId } from '../../src/core/ids';
import type { LeaseClient, LeaseState } from '../../src/mesh/lease';
import { SignalLease, type LeaseOutcome } from '../../signaling-server/src/room-lease';
import type { VirtualScheduler } from './scheduler';

export class SimLeaseService {
  readonly #sched: VirtualScheduler;
  readonly #random: Random;
  #lease: SignalLease;
  readonly #ttlMs: number;
  readonly #clients = new Map<PeerId, { alive: () => boolean; listeners: Set<(s: LeaseState) => void> }>();
  up = true;
  maxDelayMs = 3;

  constructor(sched: VirtualScheduler, random: Random, ttlMs: number) {
    this.#sched = sched;
    this.#random = random;
    this.#ttlMs = ttlMs;
    this.#lease = new SignalLease(ttlMs);
    this.#scheduleExpiry();
  }

  get holder(): PeerId | null {
    const h = this.#lease.snapshot().holder;
    return h === null ? null : asPeerId(h);
  }

  #delay(): number {
    return 0.5 + this.#random.next() * this.maxDelayMs;
  }

  /** Expiry is checked periodically, as the server's timer would. */
  #scheduleExpiry(): void {
    this.#sched.at(10, () => {
      if (this.up) this.#publish(this.#lease.expire(this.#sched.now(), (p) => this.#clients.get(asPeerId(p))?.alive() ?? false));
      this.#scheduleExpiry();
    });
  }

  #publish(outcome: LeaseOutcome | null, requester?: PeerId): void {
    if (!outcome) return;
    const s = outcome.state;
    const state: LeaseState = { holder: s.holder === null ? null : asPeerId(s.holder), epoch: asEpoch(s.epoch), ttlMs: s.ttlMs };
    const to = outcome.kind === 'changed' ? [...this.#clients.keys()] : requester ? [requester] : [];
    for (const p of to) {
      this.#sched.at(this.#delay(), () => {
        const c = this.#clients.get(p);
        if (this.up && c?.alive()) for (const l of c.listeners) l(state);
      });
    }
  }

  /**
   * The server process restarts and forgets every room (or the room was cleaned up after it emptied): the
   * lease starts again from epoch 0 and nobody holds it. Only `minEpoch` reports carry epochs over.
   */
  restartLosingState(): void {
    this.#lease = new SignalLease(this.#ttlMs);
  }

  /** A LeaseClient for one peer process (a restarted peer gets a new one). */
  client(peer: PeerId, alive: () => boolean): LeaseClient {
    const entry = { alive, listeners: new Set<(s: LeaseState) => void>() };
    this.#clients.set(peer, entry);
    const send = (fn: () => void): void => {
      if (!this.up || !alive()) return;
      this.#sched.at(this.#delay(), () => {
        if (this.up) fn();
      });
    };
    const up = (): boolean => this.up;
    return {
      requestLease: (minEpoch) => send(() => this.#publish(this.#lease.request(peer, minEpoch, this.#sched.now()), peer)),
      releaseLease: () => send(() => this.#publish(this.#lease.release(peer, this.#sched.now()), peer)),
      onLease(listener) {
        entry.listeners.add(listener);
        return () => entry.listeners.delete(listener);
      },
      get online() {
        return up();
      },
    };
  }
}
