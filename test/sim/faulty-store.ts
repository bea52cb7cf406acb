// The store of a simulated peer process: a memory store whose backing outlives crashes, plus the faults
// real stores have. Writes take time (a batch lands after a random delay, in order, atomically — so a
// crash interrupts the ones still in flight), some fail (a transient error or a quota error, with nothing
// written), and a dead process's calls never settle.
import type { Random } from '../../src/core/clock';
import type { Store, StoreOp } from '../../src/store/store';
import { StoreQuotaError } from '../../src/store/store';
import type { VirtualScheduler } from './scheduler';

export interface StoreFaults {
  /** A batch lands after a delay uniform in [0, maxLatencyMs] (and after every earlier batch). */
  readonly maxLatencyMs: number;
  /** Probability a batch fails (nothing written): half transient errors, half quota errors. */
  readonly failRate: number;
}

export const noStoreFaults: StoreFaults = { maxLatencyMs: 0, failRate: 0 };

/** `gate(fn)`: run fn now, or when the process is running again (a frozen tab's I/O completes on wake). */
export function faultyStore(store: Store, sched: VirtualScheduler, random: Random, faults: () => StoreFaults, alive: () => boolean, gate: (fn: () => void) => void): Store {
  const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
  let lastLanding = 0;
  const batch = (ops: readonly StoreOp[]): Promise<void> => {
    if (!alive()) return never();
    const f = faults();
    if (f.maxLatencyMs <= 0 && f.failRate <= 0) return store.batch(ops);
    const landing = Math.max(lastLanding, sched.now() + random.next() * f.maxLatencyMs);
    lastLanding = landing;
    const fail = random.next() < f.failRate ? (random.next() < 0.5 ? new StoreQuotaError('simulated: quota exceeded') : new Error('simulated: write failed')) : null;
    return new Promise<void>((resolve, reject) => {
      sched.at(landing - sched.now(), () => {
        if (!alive()) return; // the process died before the write landed: nothing written, nobody told
        if (fail) return gate(() => reject(fail));
        store.batch(ops).then(() => gate(resolve), (e: unknown) => gate(() => reject(e)));
      });
    });
  };
  return {
    load: (k) => (alive() ? store.load(k) : never()),
    save: (k, v) => batch([{ type: 'put', key: k, value: v }]),
    remove: (k) => batch([{ type: 'delete', key: k }]),
    range: (p) => (alive() ? store.range(p) : never()),
    batch,
    close: () => store.close(),
  };
}
