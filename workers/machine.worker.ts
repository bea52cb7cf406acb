// Entry point of the machine worker. Only a bootstrap: the code lives in a dynamically imported chunk, and a
// pool worker that imports reactor chunks may evaluate this entry too, where it must stay inert.
import type { Endpoint } from 'comlink';
import { inPoolWorkerRealm } from './pool-realm';
import { MACHINE_WORKER_READY } from './machine-worker-ready';

if (!inPoolWorkerRealm()) {
  import('./machine-worker-api')
    .then((m) => {
      m.serveMachineWorker(self as unknown as Endpoint);
      // Messages sent before the API listens would be lost: the client waits for this before calling.
      self.postMessage(MACHINE_WORKER_READY);
    })
    .catch((e: unknown) => console.error('kinetic-mesh: the machine worker failed to start', e));
}
