// Elector for a room whose peers are tabs of one browser and no signaling server: the Web Locks API gives
// mutual exclusion across those tabs (and releases a closed or crashed tab's lock at once). The holder is
// the sequencer. Epochs must strictly increase across holders, so each new holder takes the next one from
// a counter kept in the room database under the lock (and above any epoch it has observed); only the lock
// holder ever writes it, so no two terms share an epoch.
import { Emitter } from '../src/core/emitter';
import { asEpoch, type Epoch, type PeerId } from '../src/core/ids';
import { logger } from '../src/core/log';
import type { Elector, Leadership } from '../src/dcm/elector';
import type { Store } from '../src/store/store';

const log = logger('kinetic:elector:web-locks');

export interface WebLocksElectorOptions {
  readonly self: PeerId;
  readonly locks: LockManager;
  /** Lock and counter scope: the room's database name. */
  readonly scope: string;
  /** The room database shared by the tabs (holds the epoch counter). */
  readonly store: Store;
  readonly onError?: (error: Error) => void;
}

const EPOCH_KEY = 'sequencer/epoch';

export function createWebLocksElector(options: WebLocksElectorOptions): Elector {
  const { self, locks, store } = options;
  const events = new Emitter<{ change: Leadership }>();
  let state: Leadership = { leader: null, epoch: asEpoch(0), self: false };
  let observed = 0;
  let abort: AbortController | null = null;
  let release: (() => void) | null = null;

  const set = (next: Leadership): void => {
    if (next.leader === state.leader && next.epoch === state.epoch && next.self === state.self) return;
    state = next;
    events.emit('change', state);
  };

  /** Take the next epoch from the shared counter (only ever called while holding the lock). */
  const nextEpoch = async (): Promise<Epoch> => {
    const stored = (await store.load<number>(EPOCH_KEY)) ?? 0;
    const epoch = Math.max(stored, observed) + 1;
    await store.save(EPOCH_KEY, epoch);
    return asEpoch(epoch);
  };

  const lead = async (): Promise<void> => {
    const epoch = await nextEpoch();
    log('holding the sequencer lock at epoch', epoch);
    set({ leader: self, epoch, self: true });
  };

  const fail = (e: unknown): void => options.onError?.(e instanceof Error ? e : new Error(String(e)));

  return {
    start() {
      if (abort) return;
      const controller = new AbortController();
      abort = controller;
      locks
        .request(`kinetic-mesh/${options.scope}/sequencer`, { signal: controller.signal }, async () => {
          if (controller.signal.aborted) return;
          await lead();
          // Hold until stop(): the returned promise is the lock's lifetime.
          await new Promise<void>((resolve) => (release = resolve));
        })
        .catch((e: unknown) => {
          if (!controller.signal.aborted) fail(e);
        });
    },
    stop() {
      abort?.abort();
      abort = null;
      release?.();
      release = null;
      set({ leader: null, epoch: state.epoch, self: false });
    },
    observeEpoch(epoch: Epoch) {
      observed = Math.max(observed, epoch);
      // Someone already used this term or a later one: take a higher one (we still hold the lock).
      if (state.self && state.epoch <= epoch) lead().catch(fail);
    },
    current: () => state,
    onChange: (listener) => events.on('change', listener),
  };
}
