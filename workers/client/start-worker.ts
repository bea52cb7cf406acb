// Start the machine worker and open the room in it, with a guard against a start-up that never finishes.
// Firefox now and then leaves a fresh module worker stuck while it starts (seen about once in a dozen
// opens: creating its nested pool workers or loading a chunk never completes; the page waits forever).
// Nothing is decided before `open` resolves — the worker holds no lock or database that survives
// terminate() — so a start that stalls is abandoned for a fresh worker; the last attempt waits unbounded.
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { MachineHostInit } from '../machine-host';
import type { MachineWorkerApi } from '../machine-worker-api';
import { whenMachineWorkerReady } from '../machine-worker-ready';
import type { MachineSnapshot } from '../contract/machine-snapshot';
import type { ActivityItem } from '../contract/room-view';

export interface StartedWorker {
  readonly worker: Worker;
  readonly api: Remote<MachineWorkerApi>;
  readonly peerId: string;
  /** Our end of the room port: the worker's room protocol talks to the mesh through it. */
  readonly port: MessagePort;
}

export interface StartOptions {
  readonly create: () => Worker;
  readonly init: MachineHostInit;
  readonly onSnapshot: (s: MachineSnapshot) => void;
  readonly onActivity: (items: ActivityItem[]) => void;
  /** A start not done within this long is abandoned (default 10 s; a large room opens in well under 1 s). */
  readonly stallMs?: number;
  /** Starts tried in all (default 3); the last one is never abandoned. */
  readonly attempts?: number;
  readonly onStall?: (attempt: number) => void;
}

export async function startMachineWorker(o: StartOptions): Promise<StartedWorker> {
  const attempts = Math.max(1, o.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    const worker = o.create();
    const api = wrap<MachineWorkerApi>(worker);
    const channel = new MessageChannel();
    const opening = whenMachineWorkerReady(worker).then(() =>
      api.open(o.init, transfer(channel.port2, [channel.port2]), proxy(o.onSnapshot), proxy(o.onActivity)),
    );
    const abandon = (): void => {
      api[releaseProxy]();
      worker.terminate();
      channel.port1.close();
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<null>(
      (resolve) => (timer = setTimeout(() => resolve(null), o.stallMs ?? 10_000)),
    );
    try {
      const opened = attempt >= attempts ? await opening : await Promise.race([opening, stalled]);
      if (opened) return { worker, api, peerId: opened.peerId, port: channel.port1 };
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
