// Whether this JavaScript realm is a reaction-pool worker. A pool worker imports reactor modules by URL,
// and in a production build those chunks may import shared code from the entry chunk of the worker that
// loaded them first (the machine worker); entry chunks with effects (comlink `expose`, starting a machine)
// check this flag and stay inert inside a pool worker. It describes the realm itself, set once by the pool
// worker's entry before it imports anything, so it is not per-instance state.
const FLAG = '__kineticMeshPoolWorker';

export function markPoolWorkerRealm(): void {
  (globalThis as Record<string, unknown>)[FLAG] = true;
}

export function inPoolWorkerRealm(): boolean {
  return (globalThis as Record<string, unknown>)[FLAG] === true;
}
