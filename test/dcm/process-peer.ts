// One peer process for the multi-process test: a headless Node peer running distributed map/reduce.
// stdout: one JSON line per fact (ready, status, applied entry with its wall time, result); stdin: "start"
// makes it the map/reduce driver, "stream" makes it emit a cost-free job every 10 ms (bench/dcm failover),
// "latency [warmup]" measures a raw round trip to another peer and then emit → committed reaction (bench/dcm),
// after `warmup` hosted samples reported apart;
// "quiet" stops the per-entry facts (applied, status), so a measurement does not pay for its own logging;
// "throughput <n> <total>" emits n cost-free jobs and reports once it applied <total> `work` commits since it
// started (every round's, every peer's: a round's target is the sum so far, so commits that arrive before
// the command cannot be missed);
// "role" reports this peer's role now (even when quiet); "cpu-start" / "cpu" report the process's CPU time (user + system) between them
// and the commits fenced, the terms begun and the `work` reactions this peer ran meanwhile; "profile-start" /
// "profile-stop <file>" write a V8 CPU profile (the .cpuprofile of --cpu-prof) of just that stretch.
// The result of a map/reduce is reported even when quiet.
//   tsx test/dcm/process-peer.ts <signalingUrl> <room> <peerId> <jobs> <costMs> [relay|webrtc]
// With "webrtc" the peers talk over direct data channels (@roamhq/wrtc), the relay only as a fallback.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance as nodePerformance } from 'node:perf_hooks';
import { asPeerId } from '../../src/core/ids';
import { reactor } from '../../src/core/reactor';
import { webRtcLink } from '../../src/mesh/webrtc';
import { wsRelayLink } from '../../src/mesh/ws-relay';
import { startNodePeer } from '../../src/node/peer';
import { createMemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { simMapReduce } from '../sim/workloads';

const [url = '', roomName = '', id = '', jobsArg = '100', costArg = '20', linkArg = 'relay'] =
  process.argv.slice(2);
const jobs = Number(jobsArg);
const cost = Number(costArg);
const out = (fact: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(fact)}\n`);
let quiet = false;

// The simulation's map/reduce (each map step awaits `costMs`, a latency-bound job like a remote query).
// Each map body's [start, end] (wall clock, ms) since "cpu-start": where a map/reduce spends its time.
const wall = (): number => performance.timeOrigin + performance.now();
let spans: [number, number][] = [];
const mapreduce = simMapReduce(
  (ms) => {
    const start = wall();
    return new Promise((resolve) =>
      setTimeout(() => {
        spans.push([start, wall()]);
        resolve();
      }, ms),
    );
  },
  () => cost,
);

const ping = reactor({ name: 'proc-ping', version: '1.0.0' }, (r) => {
  const job = r.molecule<number>('job', { distributed: true });
  r.react('work', [job], () => undefined);
  return { job };
});

// KM_FAIL_WRITE_AT=<n>: this peer's store fails its n-th write (fail-stop: the replica stops and says so).
const failAt = Number(process.env['KM_FAIL_WRITE_AT'] ?? 0);
let writes = 0;
const memory = createMemoryStore();
const store: Store = failAt
  ? {
      ...memory,
      batch: (ops) =>
        ++writes === failAt ? Promise.reject(new Error('simulated: disk full')) : memory.batch(ops),
    }
  : memory;

const links =
  linkArg === 'webrtc'
    ? [webRtcLink({ wrtc: (await import('@roamhq/wrtc')).default as never }), wsRelayLink()]
    : [wsRelayLink()];
// The raw echo below shares the mesh with the dcm protocol, which refuses `{ echo }` as a foreign message:
// past the mesh's misbehavior threshold (50) the measuring peer would be cut off mid-measurement, so this
// bench peer never cuts anyone off.
const misbehavior = { threshold: Number.MAX_SAFE_INTEGER };
const peer = await startNodePeer({
  signalingUrl: url,
  roomName,
  peerId: asPeerId(id),
  timings: { removeAfterMs: 800 },
  links,
  store,
  misbehavior,
});
const loaded = peer.machine.load(mapreduce);
const pinger = peer.machine.load(ping);
// Raw round trips over the same mesh link: echo `{ echo }` back as `{ echoed }`.
let echoed: (() => void) | null = null;
peer.mesh.on('message', ({ from, message }) => {
  const m = message as { echo?: number; echoed?: number } | null;
  if (m && typeof m.echo === 'number') peer.mesh.send(from, { echoed: m.echo });
  else if (m && typeof m.echoed === 'number') echoed?.();
});
let workCommitted: (() => void) | null = null;
/** `work` commits applied so far (every peer's), and the count a throughput round waits for. */
let workCommits = 0;
/** `work` commits this peer held (it ran the reaction), as its replica applied them. */
let ranHere = 0;
let throughput: { readonly total: number; readonly t0: number } | null = null;
/** Commits this peer held (it ran the reaction), by reaction, as its replica applied them (map/reduce balance). */
const heldHere: Record<string, number> = {};
/** When this process took "start", and when its replica first applied an emitted copy, since "cpu-start". */
let marks: Record<string, number> = {};
peer.room.on('applied', (a) => {
  if (a.entry.type === 'emit' && marks['firstEmitApplied'] === undefined) marks['firstEmitApplied'] = wall();
  if (a.entry.type === 'commit' && a.entry.holder === peer.room.self) heldHere[a.entry.reaction] = (heldHere[a.entry.reaction] ?? 0) + 1;
});
peer.room.on('applied', (a) => {
  if (a.entry.type !== 'commit' || a.entry.reaction !== 'work') return;
  if (a.entry.holder === peer.room.self) ranHere++;
  workCommitted?.();
  if (++workCommits >= (throughput?.total ?? Infinity) && throughput) {
    out({ t: 'throughput-done', ms: performance.now() - throughput.t0, seen: workCommits });
    throughput = null;
  }
});

/**
 * Emit → committed reaction as this (emitting) replica applies it, over the raw round trip of the same link.
 * `warmup` hosted samples run first and are reported apart (`coldP50`): the path's code is then compiled
 * by the JIT as in a room that has been running for a while (the p50 fell from 3.3 to 1.5 ms over the first
 * ~1,000 samples in bench/trace-latency.ts), and the hosted and delegated cases are both measured warm —
 * before, the delegated case ran after 530 hosted samples had warmed the shared code and looked faster.
 */
async function measureLatency(warmup: number): Promise<void> {
  const other = peer.mesh.peers()[0];
  if (!other) return out({ t: 'error', message: 'latency: no peer' });
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const rtts: number[] = [];
  /** One raw round trip over the same mesh link: `{ echo }` answered with `{ echoed }`. */
  const echo = async (i: number): Promise<number> => {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      echoed = resolve;
      peer.mesh.send(other, { echo: i });
    });
    return performance.now() - t0;
  };
  // Emit → the commit of the reaction that consumed it, as this (emitting) replica applies it: first with
  // this peer hosting the reactor (it may run the reaction itself), then with it only emitting into the
  // reactor (delegation: one of the others runs it). Each sample is paired with a raw round trip taken
  // just before it, so both see the same machine (two cores shared by four processes are noisy).
  const emitLatency = async (
    emit: (i: number) => void,
    count: number,
    keepRtts = true,
  ): Promise<{ lat: number[]; rtt: number[] }> => {
    const lat: number[] = [];
    const rtt: number[] = [];
    for (let i = 0; i < count; i++) {
      const r = await echo(i);
      await pause(1);
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        workCommitted = resolve;
        emit(i);
      });
      if (i >= 30) {
        lat.push(performance.now() - t0);
        rtt.push(r);
        if (keepRtts) rtts.push(r);
      }
      await pause(2);
    }
    return { lat, rtt };
  };
  /** The median of each sample over the round trip taken just before it (both saw the same machine). */
  const paired = (r: { lat: number[]; rtt: number[] }, n = r.lat.length): number =>
    q(
      r.lat.slice(0, n).map((l, i) => l / (r.rtt[i] ?? NaN)),
      0.5,
    );
  const q = (xs: number[], p: number): number =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
  const cold = warmup > 0 ? await emitLatency((i) => pinger.emit.job(i), warmup, false) : null;
  const hosted = await emitLatency((i) => pinger.emit.job(i), 530);
  const pingId = pinger.id;
  pinger.unload();
  await pause(300); // the others learn from the catalog that we no longer host it
  const delegated = await emitLatency((i) => peer.room.emit(pingId, 'job', i), 530);
  out({
    t: 'latency',
    rttP50: q(rtts, 0.5),
    hostedRttP50: q(hosted.rtt, 0.5),
    delegatedRttP50: q(delegated.rtt, 0.5),
    p50: q(hosted.lat, 0.5),
    p99: q(hosted.lat, 0.99),
    delegatedP50: q(delegated.lat, 0.5),
    delegatedP99: q(delegated.lat, 0.99),
    pairedP50InRtt: paired(hosted),
    delegatedPairedP50InRtt: paired(delegated),
    ...(cold
      ? {
          coldP50: q(cold.lat.slice(0, 500), 0.5),
          coldRttP50: q(cold.rtt.slice(0, 500), 0.5),
          coldPairedP50InRtt: paired(cold, 500),
          warmup,
        }
      : {}),
  });
}
peer.room.on('applied', (a) => {
  if (!quiet) out({ t: 'applied', index: a.index, entry: a.entry, at: Date.now() });
  if (a.entry.type === 'commit')
    for (const m of a.entry.produced)
      if (m.name === 'result') out({ t: 'result', value: m.value, at: Date.now() });
});
peer.room.on(
  'status',
  (s) =>
    quiet ||
    out({
      t: 'status',
      role: s.role,
      sequencer: s.sequencer,
      members: s.members.length,
      commitIndex: s.commitIndex,
      ...(s.stopped ? { stopped: s.stopped } : {}),
    }),
);
// Which link each other peer is on now (a direct data channel replaces the relay once it is up).
peer.mesh.on(
  'members',
  (ms) => quiet || out({ t: 'links', links: ms.filter((m) => !m.isSelf).map((m) => m.link) }),
);
peer.room.on('error', (e) =>
  out({ t: e.message.startsWith('simulated: ') ? 'store-failed' : 'error', message: e.message }),
);
let cpu0 = process.cpuUsage();
/** The main thread's time on a CPU in ms (Linux: /proc schedstat, ns), NaN elsewhere; CPU above counts every thread. */
const mainThreadMs = (): number => {
  try {
    return Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
};
let main0 = mainThreadMs();
/** The event loop's busy time (this thread only; CPU above counts every thread: GC helpers, libuv). */
let elu0 = nodePerformance.eventLoopUtilization();
let fenced0 = 0;
/** Fenced commits by reaction since "cpu-start" (which reactions lose races). */
let fencedBy: Record<string, number> = {};
peer.room.on('history', (e) => {
  if (e.type === 'commit-fenced') fencedBy[e.reaction] = (fencedBy[e.reaction] ?? 0) + 1;
});
let epoch0 = 0;
let ran0 = 0;
let held0: Record<string, number> = {};
let profiler: Session | null = null;
async function command(line: string): Promise<void> {
  const [cmd = '', ...args] = line.trim().split(/\s+/);
  switch (cmd) {
    case 'quiet':
      quiet = true;
      return;
    case 'latency':
      return measureLatency(Number(args[0] ?? 0));
    case 'stream': {
      let x = 0;
      setInterval(() => loaded.emit.job({ x: ++x, total: 1e9 }), 10);
      return;
    }
    case 'start':
      marks['start'] = wall();
      for (let x = 1; x <= jobs; x++) loaded.emit.job({ x, total: jobs });
      marks['emitted'] = wall();
      return out({ t: 'started' });
    case 'throughput': {
      const [n = 0, total = 0] = args.map(Number);
      throughput = { total, t0: performance.now() };
      for (let i = 0; i < n; i++) pinger.emit.job(i);
      return;
    }
    case 'role': {
      const st = peer.room.status();
      return out({ t: 'role', role: st.role, sequencer: st.sequencer });
    }
    case 'cpu-start':
      cpu0 = process.cpuUsage();
      main0 = mainThreadMs();
      elu0 = nodePerformance.eventLoopUtilization();
      fenced0 = peer.machine.stats().commitsFenced;
      fencedBy = {};
      epoch0 = peer.room.status().epoch;
      ran0 = ranHere;
      held0 = { ...heldHere };
      spans = [];
      marks = {};
      return;
    case 'cpu': {
      const d = process.cpuUsage(cpu0);
      const fenced = peer.machine.stats().commitsFenced;
      return out({
        t: 'cpu',
        ms: (d.user + d.system) / 1000,
        systemMs: d.system / 1000,
        mainThreadMs: mainThreadMs() - main0,
        loopBusyMs: nodePerformance.eventLoopUtilization(elu0).active,
        fenced,
        fencedSinceStart: fenced - fenced0,
        fencedBy,
        newTerms: peer.room.status().epoch - epoch0,
        ran: ranHere - ran0,
        spans,
        marks,
        held: Object.fromEntries(Object.entries(heldHere).map(([k, n]) => [k, n - (held0[k] ?? 0)])),
      });
    }
    case 'profile-start':
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
      await profiler.post('Profiler.start');
      return;
    case 'profile-stop': {
      if (!profiler || !args[0]) return;
      const { profile } = await profiler.post('Profiler.stop');
      fs.writeFileSync(args[0], JSON.stringify(profile));
      profiler.disconnect();
      profiler = null;
      return out({ t: 'profile', path: args[0] });
    }
  }
}
out({ t: 'ready' });
process.stdin.setEncoding('utf8');
let pending = '';
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  let nl: number;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    command(line).catch((e: unknown) => out({ t: 'error', message: String(e) }));
  }
});
process.on('SIGTERM', () => void peer.stop().finally(() => process.exit(0)));
