// Elector over the signaling server's per-room lease (ZooKeeper-ephemeral-node style). The holder keeps
// asking (renewing) every third of the TTL and counts validity from when it SENT the oldest unanswered
// request, minus a drift margin, so its own lease ends before the server can grant the next one: at most
// one peer believes it leads at any moment. (Safety of the log does not even depend on this — a quorum
// and epoch fencing do — but it keeps two sequencers from granting the same claims at once.)
import type { Clock, TimerHandle } from '../../core/clock';
import { Emitter } from '../../core/emitter';
import { NO_EPOCH, type Epoch, type PeerId } from '../../core/ids';
import type { LeaseClient, LeaseState } from '../../mesh/lease';
import type { Elector, Leadership } from '../elector';

export interface LeaseElectorOptions {
  readonly self: PeerId;
  readonly lease: LeaseClient;
  readonly clock: Clock;
  /** Fraction of the TTL given up for clock drift between holder and server (default 0.1). */
  readonly driftFraction?: number;
  /** How often to ask while nobody holds it (default 200 ms); the holder renews every ttl/3. */
  readonly retryMs?: number;
  /**
   * How often to ask while another peer holds it (default 1000 ms). The server keeps us as a candidate and
   * broadcasts the hand-over when the holder's TTL runs out, so asking is only a refresh: polling at
   * retryMs would cost every peer 10 frames/s through the server in an idle room.
   */
  readonly watchRetryMs?: number;
}

export function createLeaseElector(options: LeaseElectorOptions): Elector {
  const { self, lease, clock } = options;
  const drift = options.driftFraction ?? 0.1;
  const retryMs = options.retryMs ?? 200;
  const watchRetryMs = options.watchRetryMs ?? 1000;
  const events = new Emitter<{ change: Leadership }>();
  let state: Leadership = { leader: null, epoch: NO_EPOCH, self: false };
  let maxEpoch = 0;
  let oldestUnanswered: number | null = null;
  let validUntil = -Infinity;
  let ttlMs = 1500;
  let running = false;
  let askTimer: TimerHandle | null = null;
  let expiryTimer: TimerHandle | null = null;
  let off: (() => void) | null = null;

  const set = (next: Leadership): void => {
    if (next.leader === state.leader && next.epoch === state.epoch && next.self === state.self) return;
    state = next;
    events.emit('change', state);
  };

  const askEvery = (): number => (state.leader === self ? Math.max(10, ttlMs / 3) : state.leader !== null ? watchRetryMs : retryMs);

  const ask = (): void => {
    if (!running) return;
    oldestUnanswered ??= clock.now();
    lease.requestLease(maxEpoch);
    askTimer = clock.setTimeout(ask, askEvery());
  };

  /** The state changed: the next ask comes at the new pace (at once when nobody holds the lease). */
  const reschedule = (): void => {
    if (!running) return;
    if (askTimer) clock.clearTimeout(askTimer);
    askTimer = state.leader === null ? (ask(), askTimer) : clock.setTimeout(ask, askEvery());
  };

  /** Whether the asking pace differs from the one in force before (`before`: the state then). */
  const paceChanged = (before: Leadership): boolean =>
    (before.leader === self) !== (state.leader === self) || (before.leader === null) !== (state.leader === null);

  const onLease = (s: LeaseState): void => {
    const before = state;
    maxEpoch = Math.max(maxEpoch, s.epoch);
    ttlMs = s.ttlMs;
    if (s.holder === self && running) {
      // Validity counts from the oldest request this grant could be answering.
      const sentAt = oldestUnanswered ?? clock.now();
      oldestUnanswered = null;
      validUntil = sentAt + s.ttlMs * (1 - drift);
      if (expiryTimer) clock.clearTimeout(expiryTimer);
      expiryTimer = clock.setTimeout(expire, Math.max(0, validUntil - clock.now()));
      set({ leader: self, epoch: s.epoch, self: validUntil > clock.now() });
    } else {
      if (s.holder !== self) oldestUnanswered = null;
      set({ leader: s.holder, epoch: s.epoch, self: false });
    }
    if (paceChanged(before)) reschedule();
  };

  /** Our own lease ran out by our own clock: stop sequencing now, before the server can grant again. */
  const expire = (): void => {
    expiryTimer = null;
    if (state.self && clock.now() >= validUntil) set({ leader: state.leader, epoch: state.epoch, self: false });
  };

  return {
    start() {
      if (running) return;
      running = true;
      off = lease.onLease(onLease);
      ask();
    },
    stop() {
      running = false;
      off?.();
      off = null;
      if (askTimer) clock.clearTimeout(askTimer);
      if (expiryTimer) clock.clearTimeout(expiryTimer);
      if (state.self) lease.releaseLease();
      set({ leader: null, epoch: state.epoch, self: false });
    },
    observeEpoch(epoch: Epoch) {
      maxEpoch = Math.max(maxEpoch, epoch);
      // A term at least this high exists elsewhere: a grant of ours that is not newer is unusable (the
      // server renews a returning holder at its old epoch), so give it up and ask again above it.
      if (state.self && state.epoch <= epoch) {
        lease.releaseLease();
        set({ leader: null, epoch: state.epoch, self: false });
      }
    },
    current: () => state,
    onChange: (listener) => events.on('change', listener),
  };
}
