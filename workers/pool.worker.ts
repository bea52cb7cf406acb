// Entry point of a reaction-pool worker (spawned by workers/pool.ts).
import { markPoolWorkerRealm } from './pool-realm';
import { servePoolWorker, type PoolWorkerScope } from './pool-serve';

markPoolWorkerRealm();
const scope = self as unknown as PoolWorkerScope & { navigator: { locks?: LockManager } };
servePoolWorker({ postMessage: (m) => scope.postMessage(m), addEventListener: (t, l) => scope.addEventListener(t, l), locks: scope.navigator.locks }, (url) =>
  import(/* @vite-ignore */ url),
);
