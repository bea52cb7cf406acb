// Distributed map/reduce (Chymyst chapters 2 and DCM): the sum of squares of 1..N, each square a "job" that
// costs some time, spread over every peer in the room that hosts this reactor.
//
// - `start` (local) emits the N jobs into the room and keeps a local `pending` marker holding the start time,
//   so the starting peer measures wall time with its own clock (peers' clocks disagree).
// - `map` consumes one `job`; its cost is awaited (a latency-bound job, like a remote query). Reactions with
//   distributed inputs run one at a time per peer by default, so one peer alone takes about N × cost and
//   k peers about N × cost / k: the speedup is visible. `map-cpu` is the CPU-bound variant: the body spins
//   for `cost` ms in the reaction pool (`pool: true`), so the page stays responsive and cores add up.
// - `reduce` joins two partial sums of the same run (cross guard) until all N are in; the last step emits
//   `result`. Every partial carries which peer mapped how many jobs and the summed job time (`work`).
// - `finish` runs only on the starting peer (it alone has `pending`): it stamps the wall time and emits the
//   `report`, which stays in the room so every peer can show it. Speedup = work / wall time: the time the
//   same jobs would take run one after another, divided by the time they took.
import * as v from 'valibot';
import { reactor } from '../core/reactor';

// The shapes of the molecules the view reads; it checks every copy against these schemas.

export const MapJobSchema = v.object({
  run: v.string(),
  x: v.number(),
  total: v.number(),
  /** Milliseconds the job takes. */
  cost: v.number(),
});
export type MapJob = Readonly<v.InferOutput<typeof MapJobSchema>>;

export const MapPartialSchema = v.object({
  run: v.string(),
  total: v.number(),
  /** Jobs summed in here. */
  n: v.number(),
  sum: v.number(),
  /** Milliseconds spent in map bodies, summed. */
  work: v.number(),
  /** Jobs mapped per peer id. */
  by: v.pipe(v.record(v.string(), v.number()), v.readonly()),
});
export type MapPartial = Readonly<v.InferOutput<typeof MapPartialSchema>>;

export const MapStartSchema = v.object({
  run: v.string(),
  jobs: v.number(),
  cost: v.number(),
  cpu: v.boolean(),
  /** Wall-clock ms on the starting peer. */
  at: v.number(),
});
export type MapStart = Readonly<v.InferOutput<typeof MapStartSchema>>;

export const MapReportSchema = v.object({
  ...MapPartialSchema.entries,
  cpu: v.boolean(),
  cost: v.number(),
  wallMs: v.number(),
  speedup: v.number(),
});
export type MapReport = Readonly<v.InferOutput<typeof MapReportSchema>>;

/** Upper bounds the view enforces: keeps one click from flooding the room. */
export const MAP_MAX_JOBS = 2000;
export const MAP_MAX_COST_MS = 2000;

/** The expected answer, for checking: 1² + 2² + … + n² = n(n+1)(2n+1)/6. */
export const sumOfSquares = (n: number): number => (n * (n + 1) * (2 * n + 1)) / 6;

/** Busy-wait for `ms` so the job really occupies a core (the CPU-bound variant). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x + 1) % 1_000_003;
  if (x < 0) throw new Error('unreachable'); // keeps the loop from being optimised away
}

export const mapreduce = reactor({ name: 'mapreduce', version: '1.0.0', module: import.meta.url }, (r) => {
  const start = r.molecule<MapStart>('start');
  const pending = r.molecule<MapStart>('pending');
  const job = r.molecule<MapJob>('job', { distributed: true });
  const cpuJob = r.molecule<MapJob>('cpu-job', { distributed: true });
  const partial = r.molecule<MapPartial>('partial', { distributed: true });
  const result = r.molecule<MapPartial>('result', { distributed: true });
  const report = r.molecule<MapReport>('report', { distributed: true });

  r.react('start', [start], ([s], out) => {
    const jobs = Math.max(1, Math.min(MAP_MAX_JOBS, Math.floor(s.jobs)));
    const cost = Math.max(0, Math.min(MAP_MAX_COST_MS, s.cost));
    out(pending, { ...s, jobs, cost });
    for (let x = 1; x <= jobs; x++) out(s.cpu ? cpuJob : job, { run: s.run, x, total: jobs, cost });
  });
  r.react('map', [job], async ([j], out, ctx) => {
    const t0 = performance.now();
    if (j.cost > 0) await new Promise<void>((resolve) => setTimeout(resolve, j.cost));
    const p = { run: j.run, total: j.total, n: 1, sum: j.x * j.x, work: performance.now() - t0, by: { [ctx.peer]: 1 } };
    out(j.total === 1 ? result : partial, p);
  });
  r.react(
    'map-cpu',
    [cpuJob],
    ([j], out, ctx) => {
      const t0 = performance.now();
      spin(j.cost);
      const p = { run: j.run, total: j.total, n: 1, sum: j.x * j.x, work: performance.now() - t0, by: { [ctx.peer]: 1 } };
      out(j.total === 1 ? result : partial, p);
    },
    { pool: true, concurrency: 4 },
  );
  r.react(
    'reduce',
    [partial, partial],
    ([a, b], out) => {
      const by: Record<string, number> = { ...a.by };
      for (const [peer, k] of Object.entries(b.by)) by[peer] = (by[peer] ?? 0) + k;
      const p = { run: a.run, total: a.total, n: a.n + b.n, sum: a.sum + b.sum, work: a.work + b.work, by };
      out(p.n >= p.total ? result : partial, p);
    },
    // Merging is cheap but waits on commits: several merges in flight per peer keep the reduce from
    // becoming the queue that map steps wait behind.
    { guard: ([a, b]) => a.run === b.run, concurrency: 4 },
  );
  r.react(
    'finish',
    [result, pending],
    ([res, p], out) => {
      const wallMs = Math.max(1, Date.now() - p.at);
      out(report, { ...res, cpu: p.cpu, cost: p.cost, wallMs, speedup: res.work / wallMs });
    },
    { guard: ([res, p]) => res.run === p.run },
  );

  return { start, job, cpuJob, partial, result, report };
});
