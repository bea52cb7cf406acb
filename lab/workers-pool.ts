// Reaction-pool experiments for the lab page. The pool lives in a worker (as in the app, where the machine
// worker owns it); this page only asks and watches its own main thread for long tasks. The single-thread
// baseline runs the same reaction body here, on the main thread.
import { transfer, wrap, type Remote } from 'comlink';
import { asPeerId } from '../src/core/ids';
import type { ReactorDefinition } from '../src/core/reactor';
import { runReactionBody } from '../src/core/runner';
import { mapreduce } from '../src/reactors/mapreduce';
import { servePoolSpawns } from '../workers/pool-spawn';
import type { LabPoolApi } from './workers-pool.worker';

export interface MapReduceRun {
  readonly sum: number;
  readonly expected: number;
  readonly wallMs: number;
  readonly longTasks: number;
  readonly longestTaskMs: number;
  readonly workers: number;
}

const sumOfSquares = (n: number): number => (n * (n + 1) * (2 * n + 1)) / 6;

function watchLongTasks(): { stop(): { count: number; longest: number } } {
  const seen: number[] = [];
  let observer: PerformanceObserver | null = null;
  try {
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) seen.push(e.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });
  } catch {
    observer = null; // no Long Tasks API (Firefox): nothing to count, reported as zero
  }
  return {
    stop() {
      observer?.disconnect();
      return { count: seen.length, longest: Math.max(0, ...seen) };
    },
  };
}

let host: Promise<Remote<LabPoolApi>> | null = null;
/** The lab's pool owner, with this page starting its pool workers (as the app's page does for the machine worker). */
const poolHost = (): Promise<Remote<LabPoolApi>> =>
  (host ??= (async () => {
    const api = wrap<LabPoolApi>(new Worker(new URL('./workers-pool.worker.ts', import.meta.url), { type: 'module' }));
    const { port1, port2 } = new MessageChannel();
    servePoolSpawns(port1, () => new Worker(new URL('../workers/pool.worker.ts', import.meta.url), { type: 'module' }));
    await api.attachPool(transfer(port2, [port2]));
    return api;
  })());

export async function poolMapReduce(jobs: number, costMs: number): Promise<MapReduceRun> {
  const watch = watchLongTasks();
  const r = await (await poolHost()).mapReduce(jobs, costMs);
  // Let the observer deliver entries for tasks that just ended.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const lt = watch.stop();
  return { ...r, longTasks: lt.count, longestTaskMs: lt.longest };
}

/** The same jobs, one after another, on this thread (the baseline of the speedup). */
export async function singleThreadMapReduce(jobs: number, costMs: number): Promise<MapReduceRun> {
  const def = mapreduce as unknown as ReactorDefinition;
  const watch = watchLongTasks();
  const t0 = performance.now();
  let sum = 0;
  for (let x = 1; x <= jobs; x++) {
    // Each job in its own task, as a scheduler on this thread would run it (and as Long Tasks counts work:
    // work driven straight from a devtools evaluation is not reported).
    await new Promise((resolve) => setTimeout(resolve, 0));
    const r = await runReactionBody(def, 'map-cpu', [{ run: 'lab', x, total: jobs, cost: costMs }], { peer: asPeerId('lab') });
    sum += (r.outputs[0]?.value as { sum: number }).sum;
  }
  const wallMs = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, 50));
  const lt = watch.stop();
  return { sum, expected: sumOfSquares(jobs), wallMs, longTasks: lt.count, longestTaskMs: lt.longest, workers: 1 };
}

export const poolFailures = async (): ReturnType<LabPoolApi['failures']> => (await poolHost()).failures();
