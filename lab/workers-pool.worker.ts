// The lab's stand-in for the machine worker: it owns a reaction pool, as the machine worker does in the app
// (its pool workers started by the page, see workers/pool-spawn.ts), and runs the CPU-bound map step of the mapreduce reactor in it. Reactor modules are imported dynamically
// here so the build gives each its own chunk with its exports: that chunk's URL is the reactor's `module`,
// which every pool worker imports.
import { expose } from 'comlink';
import { asPeerId } from '../src/core/ids';
import type { ReactorDefinition } from '../src/core/reactor';
import type { ReactionJob } from '../src/core/runner';
import { createReactionPool, type ReactionPool } from '../workers/pool';
import { inPoolWorkerRealm } from '../workers/pool-realm';
import { spawnThroughPage, type PoolSpawner } from '../workers/pool-spawn';

const sumOfSquares = (n: number): number => (n * (n + 1) * (2 * n + 1)) / 6;

const mapreduce = async (): Promise<ReactorDefinition> => (await import('../src/reactors/mapreduce')).mapreduce as unknown as ReactorDefinition;
const labPool = async (): Promise<ReactorDefinition> => (await import('./workers-reactor')).labPool as unknown as ReactorDefinition;

const job = (def: ReactorDefinition, reaction: string, value: unknown): ReactionJob => ({
  reactor: def.id,
  reactorName: def.name,
  module: def.module,
  reaction,
  values: [value],
  peer: asPeerId('lab'),
  definition: def,
});

const mapJob = (def: ReactorDefinition, x: number, total: number, cost: number): ReactionJob => job(def, 'map-cpu', { run: 'lab', x, total, cost });
const failure = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

let pool: ReactionPool | null = null;
let spawner: PoolSpawner | null = null;
const thePool = (): ReactionPool => {
  if (!spawner) throw new Error('attachPool first: the page starts the pool workers');
  return (pool ??= createReactionPool({ spawn: spawner.spawn }));
};

const api = {
  /** The page starts pool workers for this worker over `port` (as it does for the machine worker). */
  attachPool(port: MessagePort): void {
    spawner ??= spawnThroughPage(port);
  },
  /** Run `jobs` CPU-bound map jobs of `costMs` each in the pool and sum their squares. */
  async mapReduce(jobs: number, costMs: number): Promise<{ sum: number; expected: number; wallMs: number; workers: number }> {
    const def = await mapreduce();
    const p = thePool();
    // Warm up: every worker imports the module once before timing.
    await Promise.all(Array.from({ length: p.size }, () => p.run(mapJob(def, 1, 1, 0))));
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: jobs }, (_, i) => p.run(mapJob(def, i + 1, jobs, costMs))));
    const wallMs = performance.now() - t0;
    const sum = results.reduce((s, r) => s + (r.outputs[0]?.value as { sum: number }).sum, 0);
    return { sum, expected: sumOfSquares(jobs), wallMs, workers: p.size };
  },
  /** A throwing body fails its run and keeps its worker; a body that kills its worker gets it replaced. */
  async failures(): Promise<{ thrown: string; died: string; replaced: number; after: number }> {
    const def = await labPool();
    const p = thePool();
    const thrown = await p.run(job(def, 'boom', -1)).then(() => 'no error', failure);
    const before = p.replaced;
    const died = await p.run(job(def, 'die', -2)).then(() => 'no error', failure);
    const after = await p.run(job(def, 'square', 7));
    return { thrown, died, replaced: p.replaced - before, after: (after.outputs[0]?.value as number) ?? NaN };
  },
};

export type LabPoolApi = typeof api;
// Reactor chunks may import this entry chunk inside pool workers: stay inert there.
if (!inPoolWorkerRealm()) expose(api);
