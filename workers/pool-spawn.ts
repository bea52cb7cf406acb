// Pool workers are started by the page, not by the worker that owns the pool. Firefox (153 ESR) now and
// then deadlocks a worker inside `new Worker()` when that worker, or a worker it started, has used Web Locks:
// the creating worker's thread never returns from the constructor, so the machine worker (which holds its
// identity and sequencer locks, and whose pool workers hold a lock each for death detection) froze for
// good at its first pool job (e2e/persist-machine.spec.ts, about one Firefox run in ten under load).
// Workers the page creates are not affected. So the pool asks the page over a control port: "start pool
// worker `id` and give it this MessagePort"; the pool then talks to the worker over that port. The page
// reports the worker's `error` events back and terminates it when asked.
import * as v from 'valibot';
import type { PoolWorkerHandle } from './pool';
import type { PoolRequest } from './pool-protocol';

/** Pool side → page. `spawn` carries the worker's end of its MessagePort in `ports[0]`. */
const SpawnRequest = v.variant('type', [
  v.object({ type: v.literal('spawn'), id: v.number() }),
  v.object({ type: v.literal('terminate'), id: v.number() }),
]);
type SpawnRequest = v.InferOutput<typeof SpawnRequest>;

/** Page → pool side: an uncaught error in pool worker `id` (its script failed to load, or threw at top level). */
const SpawnReport = v.object({ type: v.literal('error'), id: v.number(), message: v.string() });
type SpawnReport = v.InferOutput<typeof SpawnReport>;

/** Page → pool worker, first message: the port to serve the pool on (in `ports[0]`). */
export const POOL_PORT = { kineticMeshPoolPort: true } as const;

export const isPoolPort = (data: unknown): boolean =>
  typeof data === 'object' && data !== null && (data as { kineticMeshPoolPort?: unknown }).kineticMeshPoolPort === true;

/** The part of a Worker the page side uses. */
export interface SpawnedWorker {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

export interface PoolSpawner {
  /** For createReactionPool's `spawn`: a pool worker the page starts, reached over its own MessagePort. */
  spawn(): PoolWorkerHandle;
  /** Stop listening to the page (the pool is closed; the page terminates its workers when it stops serving). */
  close(): void;
}

/** The pool's side (in the machine worker): spawn pool workers through the page at the other end of `control`. */
export function spawnThroughPage(control: MessagePort): PoolSpawner {
  let next = 1;
  const errorListeners = new Map<number, Array<(event: Event) => void>>();
  control.addEventListener('message', (event: MessageEvent) => {
    const r = v.safeParse(SpawnReport, event.data);
    if (!r.success) return; // not ours: dropped
    const error = Object.assign(new Event('error'), { message: r.output.message });
    for (const l of errorListeners.get(r.output.id) ?? []) l(error);
  });
  control.start();
  const send = (request: SpawnRequest, transfer: Transferable[] = []): void => control.postMessage(request, transfer);
  return {
    spawn() {
      const id = next++;
      const { port1, port2 } = new MessageChannel();
      const listeners: Array<(event: Event) => void> = [];
      errorListeners.set(id, listeners);
      send({ type: 'spawn', id }, [port2]);
      port1.start();
      return {
        postMessage: (message: PoolRequest) => port1.postMessage(message),
        addEventListener(type: 'message' | 'error' | 'messageerror', listener: (event: never) => void) {
          if (type === 'error') listeners.push(listener as (event: Event) => void);
          else port1.addEventListener(type, listener as (event: Event) => void);
        },
        terminate() {
          if (!errorListeners.delete(id)) return;
          port1.close();
          send({ type: 'terminate', id });
        },
      };
    },
    close() {
      errorListeners.clear();
      control.close();
    },
  };
}

/**
 * The page's side: start a pool worker with `create` for each request on `control`, hand it its port,
 * report its errors, terminate it when asked. Invalid requests are dropped and counted.
 */
export function servePoolSpawns(control: MessagePort, create: () => SpawnedWorker): { readonly invalid: number; stop(): void } {
  const workers = new Map<number, SpawnedWorker>();
  let invalid = 0;
  const report = (message: SpawnReport): void => control.postMessage(message);
  control.addEventListener('message', (event: MessageEvent) => {
    const r = v.safeParse(SpawnRequest, event.data);
    const port = event.ports[0];
    if (!r.success || (r.output.type === 'spawn' && (!port || workers.has(r.output.id)))) {
      invalid++;
      return;
    }
    const { id } = r.output;
    if (r.output.type === 'terminate') {
      workers.get(id)?.terminate();
      workers.delete(id);
      return;
    }
    let worker: SpawnedWorker;
    try {
      worker = create();
    } catch (e) {
      report({ type: 'error', id, message: `could not start a pool worker: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    workers.set(id, worker);
    worker.addEventListener('error', (e) => report({ type: 'error', id, message: e.message || 'pool worker error' }));
    worker.postMessage(POOL_PORT, [port as MessagePort]);
  });
  control.start();
  return {
    get invalid() {
      return invalid;
    },
    stop() {
      for (const w of workers.values()) w.terminate();
      workers.clear();
      control.close();
    },
  };
}
