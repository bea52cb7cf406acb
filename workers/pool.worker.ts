// Entry point of a reaction-pool worker. The page starts it on the pool's behalf (see pool-spawn.ts) and
// hands it, in its first message, the MessagePort the pool talks to it over.
import { markPoolWorkerRealm } from './pool-realm';
import { servePoolWorker } from './pool-serve';
import { isPoolPort } from './pool-spawn';

markPoolWorkerRealm();
const scope = self as unknown as { navigator: { locks?: LockManager }; addEventListener(type: 'message', l: (e: MessageEvent) => void): void };
let serving = false;
scope.addEventListener('message', (event) => {
  const port = event.ports[0];
  if (serving || !isPoolPort(event.data) || !port) return; // only the page's one hand-over counts
  serving = true;
  servePoolWorker(
    { postMessage: (m) => port.postMessage(m), addEventListener: (t, l) => port.addEventListener(t, l as (e: Event) => void), locks: scope.navigator.locks },
    (url) => import(/* @vite-ignore */ url),
  );
  port.start();
});
