// Start the machine worker and open the room in it, with a guard against a start-up that never finishes.
// Firefox now and then left a fresh module worker stuck while it started (about once in a dozen opens, when
// it created nested pool workers: the Web Locks deadlock described in pool-spawn.ts; the page now starts
// pool workers, at the machine worker's request). The guard stays for any start-up that hangs: nothing is
// decided before `open` resolves — the worker holds no lock or database that survives terminate() — so a
// start that stalls is abandoned for a fresh worker; the last attempt waits unbounded.
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { MachineHostInit } from '../machine-host';
import type { MachineWorkerApi } from '../machine-worker-api';
import { whenMachineWorkerReady } from '../machine-worker-ready';
import { servePoolSpawns, type SpawnedWorker } from '../pool-spawn';
import type { MachineSnapshot } from '../contract/machine-snapshot';
import type { ActivityItem } from '../contract/room-view';

export interface StartedWorker {
  readonly worker: Worker;
  readonly api: Remote<MachineWorkerApi>;
  readonly peerId: string;
  /** Our end of the room port: the worker's room protocol talks to the mesh through it. */
  readonly port: MessagePort;
  /** Stop starting pool workers for it and terminate those it has. */
  stopPool(): void;
}

export interface StartOptions {
  readonly create: () => Worker;
  /** Start a reaction-pool worker (the machine worker asks for them as its pool needs them). */
  readonly createPoolWorker?: () => SpawnedWorker;
  readonly init: MachineHostInit;
  readonly onSnapshot: (s: MachineSnapshot) => void;
  readonly onActivity: (items: ActivityItem[]) => void;
  /** A start not done within this long is abandoned (default 10 s; a large room opens in well under 1 s). */
  readonly stallMs?: number;
  /** Starts tried in all (default 3); the last one is never abandoned. */
  readonly attempts?: number;
  readonly onStall?: (attempt: number) => void;
}

const defaultPoolWorker = (): Worker => new Worker(new URL('../pool.worker.ts', import.meta.url), { type: 'module' });

export async function startMachineWorker(o: StartOptions): Promise<StartedWorker> {
  const attempts = Math.max(1, o.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    const worker = o.create();
    const api = wrap<MachineWorkerApi>(worker);
    const channel = new MessageChannel();
    const poolChannel = new MessageChannel();
    const pool = servePoolSpawns(poolChannel.port1, o.createPoolWorker ?? defaultPoolWorker);
    const opening = whenMachineWorkerReady(worker).then(() =>
      api.open(o.init, transfer(channel.port2, [channel.port2]), transfer(poolChannel.port2, [poolChannel.port2]), proxy(o.onSnapshot), proxy(o.onActivity)),
    );
    const abandon = (): void => {
      api[releaseProxy]();
      worker.terminate();
      channel.port1.close();
      pool.stop();
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<null>(
      (resolve) => (timer = setTimeout(() => resolve(null), o.stallMs ?? 10_000)),
    );
    try {
      const opened = attempt >= attempts ? await opening : await Promise.race([opening, stalled]);
      if (opened) return { worker, api, peerId: opened.peerId, port: channel.port1, stopPool: pool.stop };
    } catch (e) {
      abandon();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    opening.catch(() => undefined); // the abandoned start may still fail; nobody waits for it
    abandon();
    o.onStall?.(attempt);
  }
}
