// Elector for the tabs of one browser without a server: the Web Locks API (`navigator.locks`, injected)
// gives mutual exclusion — exactly one tab holds the room's lock, and the browser releases it when that
// tab closes or crashes. Web Locks carry no epoch, so the holder draws the next epoch from a counter it
// increments while holding the lock (in storage every tab shares, e.g. the room's Store): two successive
// holders can never draw the same epoch. Followers learn who leads from the log, not from this elector.
import { Emitter } from '../../core/emitter';
import { asEpoch, NO_EPOCH, type Epoch, type PeerId } from '../../core/ids';
import type { Store } from '../../store/store';
import type { Elector, Leadership } from '../elector';

/** The part of `navigator.locks` this needs. */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => Promise<void>): Promise<void>;
}

/** A counter shared by every tab of the browser; `next(min)` runs only while the lock is held. */
export interface EpochCounter {
  next(atLeast: number): Promise<number>;
}

export interface WebLocksElectorOptions {
  readonly self: PeerId;
  readonly locks: LockManagerLike;
  /** Lock name, one per room (e.g. `kinetic:<room hash>`). */
  readonly name: string;
  readonly counter: EpochCounter;
  /** Background failures (a lock request refused, the counter unreadable). */
  readonly onError?: (e: Error) => void;
}

/**
 * An EpochCounter over the room's Store. Only the lock holder calls it, and the increment is a merge inside
 * one transaction besides: a holder whose lock was lost (stolen, or released while it still wrote) can never
 * hand out a number twice nor move the counter back.
 */
export function storeEpochCounter(store: Pick<Store, 'batch'>, key = 'dcm/web-locks-epoch'): EpochCounter {
  return {
    async next(atLeast) {
      let epoch = 0;
      await store.batch([{ type: 'merge', key, merge: (stored) => (epoch = Math.max(typeof stored === 'number' ? stored : 0, atLeast) + 1) }]);
      return epoch;
    },
  };
}

export function createWebLocksElector(o: WebLocksElectorOptions): Elector {
  const events = new Emitter<{ change: Leadership }>();
  let state: Leadership = { leader: null, epoch: NO_EPOCH, self: false };
  let maxEpoch = 0;
  let abort: AbortController | null = null;
  let release: (() => void) | null = null;

  const set = (next: Leadership): void => {
    state = next;
    events.emit('change', state);
  };

  const acquire = (): void => {
    const controller = new AbortController();
    abort = controller;
    o.locks
      .request(o.name, { signal: controller.signal }, async () => {
        if (controller.signal.aborted) return;
        const epoch = await o.counter.next(maxEpoch);
        maxEpoch = Math.max(maxEpoch, epoch);
        set({ leader: o.self, epoch: asEpoch(epoch), self: true });
        // Hold the lock until stop() or a newer term seen elsewhere makes us let go.
        await new Promise<void>((resolve) => (release = resolve));
        release = null;
        set({ leader: null, epoch: state.epoch, self: false });
        if (!controller.signal.aborted) acquire(); // queue again behind the other tabs
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) o.onError?.(e instanceof Error ? e : new Error(String(e)));
      });
  };

  return {
    start() {
      if (!abort) acquire();
    },
    stop() {
      abort?.abort();
      abort = null;
      release?.();
    },
    observeEpoch(epoch: Epoch) {
      maxEpoch = Math.max(maxEpoch, epoch);
      // Our term is not the newest any more: give the lock back and queue for a newer one.
      if (state.self && state.epoch <= epoch) release?.();
    },
    current: () => state,
    onChange: (listener) => events.on('change', listener),
  };
}
