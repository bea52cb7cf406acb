// The machine worker's "listening" signal (its API is set up after a dynamic import, so the page waits).
export const MACHINE_WORKER_READY = { kineticMeshMachineWorker: 'ready' } as const;

export const isMachineWorkerReady = (data: unknown): boolean =>
  typeof data === 'object' && data !== null && (data as { kineticMeshMachineWorker?: unknown }).kineticMeshMachineWorker === 'ready';

/** Resolves when the worker says it listens; rejects if it fails to start. */
export function whenMachineWorkerReady(worker: Worker, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the machine worker did not start within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (e: MessageEvent): void => {
      if (isMachineWorkerReady(e.data)) done(null);
    };
    const onError = (e: ErrorEvent): void => done(new Error(`the machine worker failed to start: ${e.message}`));
    function done(error: Error | null): void {
      clearTimeout(timer);
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      if (error) reject(error);
      else resolve();
    }
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
  });
}
