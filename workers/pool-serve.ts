// The inside of a pool worker: import the reactor's module by URL (the page's own code, so the worker
// re-runs `reactor(...)` and gets the same definition and id), then run one reaction body at a time.
// Split from the entry file so a test can serve it over a MessageChannel in one process.
import type { ReactorDefinition } from '../src/core/reactor';
import type { PeerId } from '../src/core/ids';
import { runPoolBody } from './pool-body';
import { errorShape, type PoolRequest, type PoolResponse } from './pool-protocol';

/** What a pool worker needs from its global scope (a DedicatedWorkerGlobalScope, or a MessagePort in tests). */
export interface PoolWorkerScope {
  postMessage(message: PoolResponse): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<PoolRequest>) => void): void;
  readonly locks?: LockManager | undefined;
}

/** Module URL → its reactor definitions by id. Imported once per worker. */
type ModuleReactors = Map<string, ReactorDefinition>;

const isDefinition = (x: unknown): x is ReactorDefinition =>
  typeof x === 'object' && x !== null && typeof (x as ReactorDefinition).id === 'string' && typeof (x as ReactorDefinition).reaction === 'function';

/**
 * Reactor definitions exported by a module, directly or inside exported registries (`{ todo: { definition } }`):
 * a bundler may keep only the registry as the chunk's export when the reactors are inlined into it.
 */
export function findDefinitions(mod: Record<string, unknown>, depth = 3): ReactorDefinition[] {
  const found = new Set<ReactorDefinition>();
  const visit = (x: unknown, d: number): void => {
    if (isDefinition(x)) found.add(x);
    else if (d > 0 && typeof x === 'object' && x !== null && (Array.isArray(x) || Object.getPrototypeOf(x) === Object.prototype)) {
      for (const v of Object.values(x)) visit(v, d - 1);
    }
  };
  for (const v of Object.values(mod)) visit(v, depth);
  return [...found];
}

export function servePoolWorker(scope: PoolWorkerScope, importModule: (url: string) => Promise<Record<string, unknown>>): void {
  const modules = new Map<string, Promise<ModuleReactors>>();

  const reactorsOf = (url: string): Promise<ModuleReactors> => {
    let m = modules.get(url);
    if (!m) {
      m = importModule(url).then((mod) => new Map(findDefinitions(mod).map((d) => [d.id as string, d])));
      // A failed import is not cached: the next job retries it (a transient network error on a dev server).
      m.catch(() => modules.delete(url));
      modules.set(url, m);
    }
    return m;
  };

  const run = async (job: Extract<PoolRequest, { type: 'run' }>): Promise<void> => {
    try {
      const definition = (await reactorsOf(job.module)).get(job.reactor);
      if (!definition) throw new Error(`module ${job.module} does not export reactor ${job.reactor} (a different version of the code?)`);
      const result = await runPoolBody(definition, job.reaction, job.values, job.peer as PeerId);
      scope.postMessage({ type: 'done', id: job.id, result: { outputs: [...result.outputs], replies: [...result.replies] } });
    } catch (e) {
      scope.postMessage({ type: 'failed', id: job.id, error: errorShape(e) });
    }
  };

  scope.addEventListener('message', (event) => {
    const msg = event.data;
    if (msg.type === 'run') {
      void run(msg);
    } else if (msg.type === 'init') {
      if (msg.lock && scope.locks) {
        // Hold a Web Lock for the worker's whole life: the pool's request for the same name is granted
        // only when this worker is gone (crashed, closed itself, terminated), however it died.
        void scope.locks.request(msg.lock, () => {
          scope.postMessage({ type: 'ready' });
          return new Promise<never>(() => undefined);
        });
      } else scope.postMessage({ type: 'ready' });
    }
  });
}
