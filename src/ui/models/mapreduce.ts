// The map/reduce view's model: the latest run anywhere in the room, its progress and per-peer split,
// and its report (result, wall time, speedup) once the starting peer has finished it.
import { remoteEmitters, type RemoteEmitters } from '../../../workers/contract/remote-emitters';
import type { MachineClient, RoomView } from '../../../workers/contract/room-view';
import { mapreduce, MapJobSchema, type MapJob, MapPartialSchema, MapReportSchema, MapStartSchema, type MapReport } from '../../reactors/mapreduce';
import { newId } from '../lib/ids';
import { countOf, valuesOf } from './soup';

export interface MapRun {
  run: string;
  total: number;
  /** Jobs mapped so far (0..total). */
  mapped: number;
  /** Jobs still waiting in the room. */
  waiting: number;
  /** Jobs mapped per peer id (from the partial sums this peer sees). */
  byPeer: [peer: string, jobs: number][];
  /** The final sum once every job is reduced (also when the starting tab is gone and nobody times it). */
  sum: number | null;
  report: MapReport | null;
  /** This tab started it (so it will time it). */
  mine: boolean;
  /** The run's parameters as far as this peer can see them (from a waiting job, the start or the report). */
  params: { cost: number; cpu: boolean } | null;
}

/** Run ids start with their start time in base 36: newest = largest. */
const newer = (a: string, b: string): boolean => parseInt(a, 36) > parseInt(b, 36) || (a > b && parseInt(a, 36) === parseInt(b, 36));

/** The newest run this peer knows of, or null. */
export function latestRun(view: RoomView | null): MapRun | null {
  const waitJobs = valuesOf(view, 'mapreduce', 'job', MapJobSchema);
  const cpuJobs = valuesOf(view, 'mapreduce', 'cpu-job', MapJobSchema);
  const jobs = [...waitJobs, ...cpuJobs];
  const results = valuesOf(view, 'mapreduce', 'result', MapPartialSchema);
  const partials = [...valuesOf(view, 'mapreduce', 'partial', MapPartialSchema), ...results];
  const reports = valuesOf(view, 'mapreduce', 'report', MapReportSchema);
  const pending = valuesOf(view, 'mapreduce', 'pending', MapStartSchema);
  let run: string | null = null;
  let total = 0;
  for (const x of [...jobs, ...partials, ...reports, ...pending.map((p) => ({ run: p.run, total: p.jobs }))]) {
    if (run === null || newer(x.run, run)) [run, total] = [x.run, x.total];
  }
  if (run === null) return null;
  const report = reports.find((r) => r.run === run) ?? null;
  const final = report ?? results.find((r) => r.run === run) ?? null;
  const parts = final ? [final] : partials.filter((p) => p.run === run);
  const by = new Map<string, number>();
  for (const p of parts) for (const [peer, k] of Object.entries(p.by)) by.set(peer, (by.get(peer) ?? 0) + k);
  // The sample of waiting jobs may be cut short; the exact group count is right while only one run is live.
  const waiting = final ? 0 : Math.max(jobs.filter((j) => j.run === run).length, countOf(view, 'mapreduce', 'job') + countOf(view, 'mapreduce', 'cpu-job'));
  return {
    run,
    total,
    mapped: final ? total : Math.min(total, parts.reduce((a, p) => a + p.n, 0)),
    waiting,
    byPeer: [...by.entries()].sort((a, b) => b[1] - a[1]),
    sum: final?.sum ?? null,
    report,
    mine: pending.some((p) => p.run === run),
    params: paramsOf(run, report ?? pending.find((p) => p.run === run), waitJobs, cpuJobs),
  };
}

function paramsOf(
  run: string,
  known: { cost: number; cpu: boolean } | undefined,
  waitJobs: readonly MapJob[],
  cpuJobs: readonly MapJob[],
): MapRun['params'] {
  if (known) return { cost: known.cost, cpu: known.cpu };
  const wait = waitJobs.find((j) => j.run === run);
  if (wait) return { cost: wait.cost, cpu: false };
  const cpu = cpuJobs.find((j) => j.run === run);
  return cpu ? { cost: cpu.cost, cpu: true } : null;
}

export class MapReduceActions {
  readonly #emit: RemoteEmitters<typeof mapreduce.exports>;
  constructor(client: MachineClient) {
    this.#emit = remoteEmitters(client, mapreduce);
  }

  start(jobs: number, cost: number, cpu: boolean): Promise<void> {
    const at = Date.now();
    return this.#emit.start({ run: newId(at), jobs, cost, cpu, at });
  }
}
