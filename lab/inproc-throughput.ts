// lab: in-process throughput of N peers over the real signaling server (bench dcm's reactionsPerSecond5Peers), several
// rounds so the later ones are warm; prints rate and CPU per reaction per round. For A/B runs and --cpu-prof:
//   N=5 JOBS=5000 ROUNDS=6 node --import ./bench/lib/ts-loader.mjs lab/inproc-throughput.ts
// (compiled as bench dcm runs it; under `npx tsx` esbuild's keepNames adds a `__name()` call per closure made)
// PROFILE=<file.cpuprofile> profiles the warm rounds only (from round WARM, default 2): a --cpu-prof of the whole
// run is about a quarter idle, but that is module loading, joining and stopping, not the pipeline (its warm
// rounds are ~1 % idle).
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { labRoom, sleep, work } from './lib/room';
const n = Number(process.env.N ?? 5),
  jobs = Number(process.env.JOBS ?? 2000),
  rounds = Number(process.env.ROUNDS ?? 4);
// GRACE=<ms>: another affinity grace (10000: no stealing once a copy's grace … but idle hosts still steal)
const lab = await labRoom(n, 'x', undefined, process.env.GRACE ? { timings: { affinityGraceMs: Number(process.env.GRACE) } } : {});
const ps = lab.peers;
const loaded = ps.map((p) => p.machine.load(work));
let done = 0;
ps[0]!.room.on('applied', (a) => {
  if (a.entry.type === 'commit' && a.entry.reaction === 'work') done++;
});
/** Set by a wrapper script that counts something per round (a scratch message counter, say). */
const hooks = globalThis as { __reset?: () => void; __counts?: () => unknown };
const profile = process.env.PROFILE;
const warm = Number(process.env.WARM ?? 2);
/** ALLOC=<file.heapprofile>: sample allocations (every 4 KiB) in the warm rounds instead of profiling CPU. */
const alloc = process.env.ALLOC;
const inspector = profile || alloc ? new Session() : null;
inspector?.connect();
for (let r = 0; r < rounds; r++) {
  if (inspector && r === warm) {
    if (alloc) await inspector.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    else {
      await inspector.post('Profiler.enable');
      // SAMPLE_US=<µs>: a finer sampling interval than V8's default (1 ms here)
      if (process.env.SAMPLE_US) await inspector.post('Profiler.setSamplingInterval', { interval: Number(process.env.SAMPLE_US) });
      await inspector.post('Profiler.start');
    }
  }
  hooks.__reset?.();
  const target = done + jobs;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const e0 = performance.eventLoopUtilization();
  for (let i = 0; i < jobs; i++) loaded[i % n]!.emit.job(i);
  const drained = () =>
    ps.every((p) => {
      const st = p.room.status();
      return st.outbox === 0 && st.molecules === 0 && st.commitIndex === st.lastIndex;
    });
  while (!(done >= target || drained())) await sleep(2);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const elu = performance.eventLoopUtilization(e0).utilization;
  // HEAP=1 (with node --expose-gc): the heap that survives a full collection after each round.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (process.env.HEAP && gc) gc();
  const heap = process.env.HEAP ? ` heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB` : '';
  console.error(
    `round ${r}:${heap}${hooks.__counts ? ` ${JSON.stringify(hooks.__counts())}` : ''} ${Math.round(jobs / (ms / 1000))}/s cpu ${(((c.user + c.system) / 1000 / jobs) * 1000).toFixed(1)} us/reaction elu ${elu.toFixed(2)} seq=${ps.find((p) => p.room.status().role === 'sequencer')?.room.status().sequencer}`,
  );
}
if (inspector && alloc) {
  const { profile: heap } = await inspector.post('HeapProfiler.stopSampling');
  fs.writeFileSync(alloc, JSON.stringify(heap));
  console.error(`allocation profile of rounds ${warm}..${rounds - 1}: ${alloc}`);
} else if (inspector && profile) {
  const { profile: cpu } = await inspector.post('Profiler.stop');
  fs.writeFileSync(profile, JSON.stringify(cpu));
  console.error(`profile of rounds ${warm}..${rounds - 1}: ${profile}`);
}
// Who ran the reactions (each peer emitted a fifth) and the bodies wasted on refused claims / fenced commits.
console.error(
  `runs by peer (started, refused, fenced): ${ps
    .map((p) => {
      const s = p.machine.stats();
      return `${p.machine.peer} ${s.reactions}/${s.claimsRefused}/${s.commitsFenced}`;
    })
    .join(', ')}`,
);
await lab.stop();
process.exit(0);
