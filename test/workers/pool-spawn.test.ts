// Pool workers started by the page for the pool that lives in the machine worker (workers/pool-spawn.ts):
// the pool asks over a control port, the "page" starts a worker (here servePoolWorker, the real worker code,
// behind the MessagePort it is handed, as pool.worker.ts does), reports its errors and terminates it when
// asked. The browser run (real Workers, Firefox) is e2e/persist-machine.spec.ts and e2e/pool.spec.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { createReactionPool, PoolWorkerDiedError, type ReactionPool } from '../../workers/pool';
import { servePoolWorker } from '../../workers/pool-serve';
import { isPoolPort, servePoolSpawns, spawnThroughPage, type SpawnedWorker } from '../../workers/pool-spawn';
import { heavyJob as job } from './fixtures/heavy';

interface PageWorker extends SpawnedWorker {
  terminated: boolean;
  /** Fire an `error` event on the page's Worker object (a script that failed to load). */
  fail(message: string): void;
}

/** What `new Worker(pool.worker.ts)` is to the page: it serves the pool on the port handed over first. */
function pageWorker(): PageWorker {
  const errorListeners: Array<(e: ErrorEvent) => void> = [];
  let port: MessagePort | null = null;
  const w: PageWorker = {
    terminated: false,
    postMessage(message, transfer) {
      if (!isPoolPort(message) || port) return;
      const p = transfer[0] as MessagePort;
      port = p;
      servePoolWorker({ postMessage: (m) => p.postMessage(m), addEventListener: (t, l) => p.addEventListener(t, l as (e: Event) => void) }, (url) => import(/* @vite-ignore */ url));
      p.start();
    },
    addEventListener: (_type, listener) => void errorListeners.push(listener),
    terminate() {
      w.terminated = true;
      port?.close();
    },
    fail: (message) => errorListeners.forEach((l) => l({ message } as ErrorEvent)),
  };
  return w;
}


const until = async (check: () => boolean, what: string): Promise<void> => {
  for (let i = 0; !check(); i++) {
    if (i > 500) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((s) => s()));

function setup(size: number): { pool: ReactionPool; started: PageWorker[]; page: ReturnType<typeof servePoolSpawns>; control: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  const started: PageWorker[] = [];
  const page = servePoolSpawns(port1, () => {
    const w = pageWorker();
    started.push(w);
    return w;
  });
  const spawner = spawnThroughPage(port2);
  const pool = createReactionPool({ spawn: spawner.spawn, size, locks: null });
  stops.push(() => {
    pool.close();
    spawner.close();
    page.stop();
  });
  return { pool, started, page, control: port2 };
}

describe('pool workers started by the page', () => {
  it('runs the pool’s jobs on workers the page starts, only once there is a job', async () => {
    const { pool, started } = setup(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toHaveLength(0);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.run(job('square', [i]))));
    expect(results.map((r) => r.outputs[0]?.value)).toEqual(Array.from({ length: 10 }, (_, i) => i * i));
    expect(started).toHaveLength(2);
  });

  it('a worker’s error event on the page fails its job, and the page terminates it and starts a replacement', async () => {
    const { pool, started } = setup(1);
    const hung = pool.run(job('hang', [-2]));
    await until(() => started.length === 1, 'the first worker');
    // Let the job reach the worker, then the worker "crashes".
    await new Promise((r) => setTimeout(r, 20));
    started[0]!.fail('script error');
    await expect(hung).rejects.toBeInstanceOf(PoolWorkerDiedError);
    await until(() => started[0]!.terminated, 'the page to terminate the dead worker');
    expect((await pool.run(job('square', [6]))).outputs[0]?.value).toBe(36);
    expect(started).toHaveLength(2);
    expect(pool.replaced).toBe(1);
  });

  it('drops and counts requests that are not the pool’s; closing the page side terminates its workers', async () => {
    const { pool, started, page, control } = setup(1);
    await pool.run(job('square', [3]));
    control.postMessage({ type: 'spawn', id: 99 }); // no port
    control.postMessage({ type: 'launch-missiles' });
    control.postMessage('garbage');
    await until(() => page.invalid === 3, 'three invalid requests');
    expect(started).toHaveLength(1);
    page.stop();
    expect(started[0]!.terminated).toBe(true);
  });
});
