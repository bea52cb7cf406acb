// bench/scale: one room of N headless Node peers (ws-relay over a real kinetic-signal with default limits,
// server lease, memory stores) for N = 2, 5, 10, 20, 40, then a room of 64 (the server's cap).
// Up to SCALE_MAX_PROCS (6) peers run one per process; beyond that, ceil((N-1)/5) peers share a process (two
// cores shared with other work: each process more is one more to schedule on every hop), plus one process
// holding only the peer that gets SIGKILLed. The server runs in its own
// process so its CPU is its own. For each N:
//   join          `join` sent to every process at once → every peer linked with all others (mesh) / every
//                 peer sees all N in the distributed room's configuration (members)
//   idle          over SCALE_IDLE_S seconds after a 3 s settle: frames the server received per second, CPU
//                 per peer (process CPU / peers in it) and of the server, RSS per peer
//   counter       1,000 increments (rounded up to a multiple of N) spread evenly over all peers, all emitted at
//                 once, twice: a warm-up round first (SCALE_WARMUP increments, default 1,000; reported as
//                 counterColdMs), then the measured one. Six processes on two cores each compile the same hot
//                 code in the first round: that cost (1.3–2.2 s of the 3.0–4.8 s of CPU the cold round takes
//                 at N = 40) is the bench's layout, not the room's (40 real peers compile on 40 CPUs), so the
//                 measured round is the second (bench dcm measures latency warm too). Both on one contended
//                 `count` copy; for the measured round: time until every peer applied all of them, commits/s,
//                 fenced commits and refused claims per 1,000, CPU of all peers and of the server meanwhile
//   dead peer     the lone peer's process SIGKILLed → the slowest other peer drops it; any other drop counts
//                 as a false positive
// Metrics: idleFramesPerSecondN40, idleCpuPercentPerPeerN40, counterMsN40, room64Works (64 peers join,
// count, and drop a crashed peer ≤ 1.5 s), fitted exponents (log-log least squares) for idle frames and CPU.
// SCALE_NS=2,5 picks sizes (64 is the room64Works run); load average is recorded per N.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { writeResult } from './lib/result';
import { NODE_TS } from './lib/node-ts';

const SIZES = (process.env['SCALE_NS'] ?? '2,5,10,20,40,64').split(',').map(Number);
const IDLE_S = Number(process.env['SCALE_IDLE_S'] ?? 10);
const INCREMENTS = 1000;
/** Increments of the warm-up round before the measured counter (SCALE_WARMUP; 0: measure the first round). */
const WARMUP = Number(process.env['SCALE_WARMUP'] ?? INCREMENTS);
/** Peer processes per room at most (the lone victim included): every process competes for the two cores. */
const MAX_PROCS = Number(process.env['SCALE_MAX_PROCS'] ?? 6);
const here = import.meta.dirname;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Fact = { t: string; [k: string]: unknown };

/** A child process speaking JSON lines. */
class Proc {
  readonly facts: Fact[] = [];
  readonly child: ChildProcess;
  #waiters: Array<() => void> = [];

  constructor(script: string, args: string[]) {
    this.child = spawn(process.execPath, [...NODE_TS, path.join(here, 'lib', script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    // A child that died (the SIGKILLed one) closes its stdin: writing to it then is not our failure.
    this.child.stdin?.on('error', () => undefined);
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.facts.push(JSON.parse(line) as Fact);
      } catch {
        return; // a stray line (a library's log): not a fact
      }
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** Wait for a fact matching `pred` that arrives after index `from`. */
  async next(pred: (f: Fact) => boolean, timeoutMs: number, from = 0): Promise<Fact> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const f = this.facts.slice(from).find(pred);
      if (f) return f;
      if (Date.now() > end) throw new Error(`timed out waiting for a fact (${timeoutMs} ms)`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async usage(): Promise<Fact> {
    const from = this.facts.length;
    this.send('usage');
    return this.next((f) => f.t === 'usage', 10_000, from);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.killed) return;
    this.send('stop');
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    await Promise.race([exited, sleep(4000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

interface SizeResult {
  n: number;
  processes: number;
  peersPerProcess: number;
  loadAvg1m: number;
  joinMs: number | null;
  membersMs: number | null;
  idleFramesPerSecond: number;
  idleCpuPercentPerPeer: number;
  idleCpuPercentServer: number;
  rssMiBPerPeer: number;
  rssMiBServer: number;
  increments: number;
  counterMs: number | null;
  /** The same counter on cold code (the warm-up round; null without one): its time and all peers' CPU. */
  counterColdMs: number | null;
  counterColdCpuMsPeers: number | null;
  commitsPerSecond: number | null;
  /** CPU of all peer processes / of the server from the increments' emission until the last peer counted them all. */
  counterCpuMsPeers: number;
  counterCpuMsServer: number;
  /** Frames the server received from the increments' emission until the last peer counted them all, per increment. */
  counterFramesPerIncrement: number;
  fencedPer1000: number;
  refusedPer1000: number;
  /** Sequencer terms begun while counting (a lease that lapsed, or a sequencer cut off): the most any peer saw. */
  termsDuringCounter: number;
  /** The worst event-loop delay of any peer process while counting (its timers — lease renewal, pings — ran this late). */
  loopLagMaxMs: number;
  /** Healthy peers dropped by some peer while counting (from the increments' emission until all counted, or the timeout). */
  falseDropsCounting: number;
  deadPeerMs: number | null;
  falseDrops: number;
  serverRejected: Record<string, number>;
}

const allFacts = (procs: readonly Proc[], t: string): Fact[] => procs.flatMap((p) => p.facts.filter((f) => f.t === t));

async function waitAll(procs: readonly Proc[], t: string, count: number, timeoutMs: number, pred: (f: Fact) => boolean = () => true): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (allFacts(procs, t).filter(pred).length >= count) return true;
    await sleep(50);
  }
  return false;
}

async function runSize(n: number): Promise<SizeResult> {
  const server = new Proc('scale-server.ts', []);
  const port = (await server.next((f) => f.t === 'listening', 30_000)).port as number;
  const url = `ws://127.0.0.1:${port}/signal`;
  const room = `scale-${n}-${Date.now()}`;
  const ids = Array.from({ length: n }, (_, i) => `p${String(i).padStart(2, '0')}`);
  const victim = ids[n - 1] as string;
  const per = n <= MAX_PROCS ? 1 : Math.ceil((n - 1) / (MAX_PROCS - 1));
  const groups: string[][] = [];
  for (let i = 0; i < n - 1; i += per) groups.push(ids.slice(i, Math.min(i + per, n - 1)));
  groups.push([victim]);
  const procs = groups.map((g) => new Proc('scale-peer.ts', [url, room, String(n), g.join(',')]));
  const victimProc = procs[procs.length - 1] as Proc;
  const result: Partial<SizeResult> = { n, processes: procs.length, peersPerProcess: per, counterColdMs: null, counterColdCpuMsPeers: null };
  try {
    await Promise.all(procs.map((p) => p.next((f) => f.t === 'booted', 120_000)));
    const t0 = Date.now();
    for (const p of procs) p.send('join');
    const linked = await waitAll(procs, 'linked', n, 60_000);
    result.joinMs = linked ? Math.max(...allFacts(procs, 'linked').map((f) => f.at as number)) - t0 : null;
    const members = await waitAll(procs, 'members', n, 90_000);
    result.membersMs = members ? Math.max(...allFacts(procs, 'members').map((f) => f.at as number)) - t0 : null;

    // Idle.
    await sleep(3000);
    result.loadAvg1m = os.loadavg()[0] ?? 0;
    const s0 = await server.usage();
    const u0 = await Promise.all(procs.map((p) => p.usage()));
    await sleep(IDLE_S * 1000);
    const s1 = await server.usage();
    const u1 = await Promise.all(procs.map((p) => p.usage()));
    const wall = (s1.at as number) - (s0.at as number);
    const peerCpuMs = u1.reduce((a, u, i) => a + (u.cpuMs as number) - (u0[i]!.cpuMs as number), 0);
    result.idleFramesPerSecond = (((s1.framesIn as number) - (s0.framesIn as number)) * 1000) / wall;
    result.idleCpuPercentPerPeer = (peerCpuMs / n / wall) * 100;
    result.idleCpuPercentServer = (((s1.cpuMs as number) - (s0.cpuMs as number)) / wall) * 100;
    result.rssMiBPerPeer = u1.reduce((a, u) => a + (u.rss as number), 0) / n / 2 ** 20;
    result.rssMiBServer = (s1.rss as number) / 2 ** 20;

    // Contended counter.
    const k = Math.ceil(INCREMENTS / n);
    result.increments = k * n;
    procs[0]!.send('seed');
    await sleep(500);
    // The first round runs on cold code (see the header): it is timed as the cold counter, then forgotten.
    const warm = Math.ceil(WARMUP / n);
    if (warm > 0) {
      const w0 = await Promise.all(procs.map((p) => p.usage()));
      const tw = Date.now();
      for (const p of procs) p.send(`count ${warm} ${warm * n}`);
      const warmed = await waitAll(procs, 'counted', n, 60_000);
      result.counterColdMs = warmed ? Math.max(...allFacts(procs, 'counted').map((f) => f.at as number)) - tw : null;
      const w1 = await Promise.all(procs.map((p) => p.usage()));
      result.counterColdCpuMsPeers = Math.round(w1.reduce((a, u, i) => a + (u.cpuMs as number) - (w0[i]!.cpuMs as number), 0));
      await sleep(2000);
      for (const p of procs) p.facts.splice(0, p.facts.length, ...p.facts.filter((f) => f.t !== 'counted'));
    }
    const c0 = await Promise.all([server, ...procs].map((p) => p.usage()));
    const t1 = Date.now();
    for (const p of procs) p.send(`count ${k} ${(warm + k) * n}`);
    const counted = await waitAll(procs, 'counted', n, 60_000);
    result.counterMs = counted ? Math.max(...allFacts(procs, 'counted').map((f) => f.at as number)) - t1 : null;
    const c1 = await Promise.all([server, ...procs].map((p) => p.usage()));
    const cpuOf = (i: number): number => (c1[i]!.cpuMs as number) - (c0[i]!.cpuMs as number);
    result.counterCpuMsPeers = Math.round(procs.reduce((a, _, i) => a + cpuOf(i + 1), 0));
    result.counterCpuMsServer = Math.round(cpuOf(0));
    result.counterFramesPerIncrement = Math.round((((c1[0]!.framesIn as number) - (c0[0]!.framesIn as number)) / (k * n)) * 10) / 10;
    if (process.env['SCALE_DEBUG']) console.error(`counter CPU ms per process: ${procs.map((p, i) => `${groups[i]![0]}×${groups[i]!.length} ${Math.round(cpuOf(i + 1))}`).join(', ')}`);
    result.commitsPerSecond = result.counterMs ? (k * n * 1000) / result.counterMs : null;
    const statsFrom = procs.map((p) => p.facts.length);
    for (const p of procs) p.send('stats');
    await Promise.all(procs.map((p, i) => waitAllIn(p, statsFrom[i]!)));
    const stats = procs.flatMap((p, i) => p.facts.slice(statsFrom[i]).filter((f) => f.t === 'stats'));
    if (process.env['SCALE_DEBUG']) {
      console.error(`fenced per peer: ${stats.map((f) => `${String(f.id)}${f.role === 'sequencer' ? '*' : ''}:${String(f.fenced)}/${String(f.refused)}`).join(' ')}`);
      const at = new Map(allFacts(procs, 'counted').map((f) => [f.id, (f.at as number) - t1]));
      const times = [...at.values()].sort((a, b) => a - b);
      const seq = stats.find((f) => f.role === 'sequencer');
      const sum = (fs: Fact[]): Record<string, number> => {
        const t: Record<string, number> = {};
        for (const f of fs) for (const [k, v] of Object.entries((f.sent ?? {}) as Record<string, number>)) t[k] = (t[k] ?? 0) + v;
        return t;
      };
      console.error(`messages sent by the sequencer: ${JSON.stringify(sum(stats.filter((f) => f.role === 'sequencer')))}; by the others: ${JSON.stringify(sum(stats.filter((f) => f.role !== 'sequencer')))}`);
      console.error(`counted ms: min ${times[0]} median ${times[times.length >> 1]} max ${times[times.length - 1]}; sequencer ${String(seq?.id)} at ${at.get(seq?.id)}`);
    }
    if (!counted) console.error(`bench/scale: N = ${n}: counter unfinished; increments applied per peer: ${stats.map((f) => f.applied as number).join(' ')}`);
    result.fencedPer1000 = (stats.reduce((a, f) => a + (f.fenced as number), 0) * 1000) / (k * n);
    result.refusedPer1000 = (stats.reduce((a, f) => a + (f.refused as number), 0) * 1000) / (k * n);
    result.termsDuringCounter = Math.max(0, ...stats.map((f) => f.terms as number));
    result.loopLagMaxMs = Math.max(0, ...stats.map((f) => f.lagMaxMs as number));
    const countedAt = t1 + (result.counterMs ?? Date.now() - t1);
    result.falseDropsCounting = allFacts(procs, 'dropped').filter((f) => f.peer !== victim && (f.at as number) >= t1 && (f.at as number) <= countedAt).length;

    // Dead peer.
    const tk = Date.now();
    victimProc.child.kill('SIGKILL');
    const others = procs.slice(0, -1);
    // Only drops after the kill count (a peer that had wrongly dropped the victim before would not drop it again).
    const afterKill = (f: Fact): boolean => f.peer === victim && (f.at as number) >= tk;
    const seen = await waitAll(others, 'dropped', n - 1, 5000, afterKill);
    result.deadPeerMs = seen ? Math.max(...allFacts(others, 'dropped').filter(afterKill).map((f) => f.at as number)) - tk : null;
    result.falseDrops = allFacts(others, 'dropped').filter((f) => f.peer !== victim).length;
    if (process.env['SCALE_DEBUG']) {
      const why = new Map<string, number>();
      for (const f of allFacts(others, 'dropped')) if (f.peer !== victim) why.set(String(f.reason), (why.get(String(f.reason)) ?? 0) + 1);
      console.error(`false drops by reason: ${JSON.stringify(Object.fromEntries(why))}`);
    }
    if (process.env['SCALE_DEBUG']) for (const f of allFacts(others, 'dropped').filter((d) => d.peer !== victim)) console.error(`false drop: ${JSON.stringify(f)}`);
    result.serverRejected = (await server.usage()).rejected as Record<string, number>;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await server.stop();
  }
  return result as SizeResult;

  async function waitAllIn(p: Proc, from: number): Promise<void> {
    const want = groups[procs.indexOf(p)]!.length;
    const end = Date.now() + 10_000;
    while (p.facts.slice(from).filter((f) => f.t === 'stats').length < want && Date.now() < end) await sleep(20);
  }
}

/** Least-squares slope of log y over log x: y ∝ N^slope. */
function exponent(points: ReadonlyArray<readonly [number, number]>): number {
  const ps = points.filter(([x, y]) => x > 0 && y > 0).map(([x, y]) => [Math.log(x), Math.log(y)] as const);
  const mx = ps.reduce((a, [x]) => a + x, 0) / ps.length;
  const my = ps.reduce((a, [, y]) => a + y, 0) / ps.length;
  const num = ps.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = ps.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den ? num / den : NaN;
}

const results: SizeResult[] = [];
for (const n of SIZES) {
  console.log(`bench/scale: N = ${n} …`);
  try {
    const r = await runSize(n);
    results.push(r);
    console.log(JSON.stringify(r));
  } catch (e) {
    console.error(`bench/scale: N = ${n} failed: ${String(e)}`);
  }
}

const at = (n: number): SizeResult | undefined => results.find((r) => r.n === n);
const curve = results.filter((r) => r.n !== 64);
const r40 = at(40);
const r64 = at(64);
const metrics: Record<string, number> = {};
if (r40) {
  metrics['idleFramesPerSecondN40'] = Math.round(r40.idleFramesPerSecond);
  metrics['idleCpuPercentPerPeerN40'] = Math.round(r40.idleCpuPercentPerPeer * 100) / 100;
  metrics['counterMsN40'] = r40.counterMs ?? -1;
  if (r40.counterColdMs !== null) metrics['counterColdMsN40'] = r40.counterColdMs;
}
if (SIZES.includes(64)) {
  metrics['room64Works'] = r64 && r64.membersMs !== null && r64.counterMs !== null && r64.deadPeerMs !== null && r64.deadPeerMs <= 1500 ? 1 : 0;
}
if (curve.length >= 2) {
  metrics['idleFramesExponent'] = Math.round(exponent(curve.map((r) => [r.n, r.idleFramesPerSecond])) * 100) / 100;
  metrics['idleCpuPerPeerExponent'] = Math.round(exponent(curve.map((r) => [r.n, r.idleCpuPercentPerPeer])) * 100) / 100;
}
for (const r of results) {
  metrics[`fencedPer1000N${r.n}`] = Math.round(r.fencedPer1000);
  metrics[`deadPeerMsN${r.n}`] = r.deadPeerMs ?? -1;
  metrics[`termsDuringCounterN${r.n}`] = r.termsDuringCounter;
  metrics[`falseDropsCountingN${r.n}`] = r.falseDropsCounting;
}
console.log('\n  N  procs  load  join ms  members ms  idle frames/s  cpu%/peer  cpu% server  RSS MiB/peer  counter ms (cold)  commits/s  counter cpu ms peers/server  fenced/1000  refused/1000  terms  lag ms  dead ms  false drops (counting)');
for (const r of results) {
  const f = (x: number | null, d = 0): string => (x === null ? '—' : x.toFixed(d));
  console.log(
    [r.n, r.processes, f(r.loadAvg1m, 1), f(r.joinMs), f(r.membersMs), f(r.idleFramesPerSecond), f(r.idleCpuPercentPerPeer, 2), f(r.idleCpuPercentServer, 1), f(r.rssMiBPerPeer, 0), `${f(r.counterMs)} (${f(r.counterColdMs)})`, f(r.commitsPerSecond), `${r.counterCpuMsPeers}/${r.counterCpuMsServer}`, f(r.fencedPer1000), f(r.refusedPer1000), r.termsDuringCounter, r.loopLagMaxMs, f(r.deadPeerMs), `${r.falseDrops} (${r.falseDropsCounting})`].join('  '),
  );
}
writeResult('scale', metrics, { sizes: results, idleSeconds: IDLE_S, increments: INCREMENTS });
