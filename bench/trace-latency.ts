// Where an emit → commit spends its time, with every peer its own process (ws-relay through a local server).
//   tsx bench/trace-latency.ts [hosted|delegated] [samples]
// Each process stamps (wall clock, µs precision: performance.timeOrigin + now) the frames it sends to and
// receives from the others and the commit it applies; the parent lines the stamps of each sample up and
// prints the median of each step. A diagnostic, not a benchmark: it prints, it writes no result.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createSignalingServer } from '../signaling-server/src/index';
import { asPeerId } from '../src/core/ids';
import { reactor } from '../src/core/reactor';
import { startNodePeer } from '../src/node/peer';
import { NODE_TS } from './lib/node-ts';

const wall = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ping = reactor({ name: 'proc-ping', version: '1.0.0' }, (r) => {
  const job = r.molecule<number>('job', { distributed: true });
  r.react('work', [job], () => undefined);
  return { job };
});

async function child(url: string, id: string): Promise<void> {
  const print = (f: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(f)}\n`);
  // Stamps are kept here and printed on "dump": writing each to the pipe at once cost more than the protocol.
  const stamps: Record<string, unknown>[] = [];
  const out = (f: Record<string, unknown>): void => void (f['t'] === 'ev' ? stamps.push(f) : print(f));
  const peer = await startNodePeer({ signalingUrl: url, roomName: 'trace-latency', peerId: asPeerId(id) });
  const pinger = peer.machine.load(ping);
  let sample = -1;
  const kind = (json: string): string => {
    const m = JSON.parse(json) as { type: string; messages?: { type: string }[] };
    return m.type === 'batch' ? (m.messages ?? []).map((x) => x.type).join('+') : m.type;
  };
  const orig = peer.mesh.sendEncoded.bind(peer.mesh);
  peer.mesh.sendEncoded = (to, json) => {
    if (sample >= 0) out({ t: 'ev', s: sample, at: wall(), ev: `${id}>${to} ${kind(json)}` });
    return orig(to, json);
  };
  peer.mesh.on('message', ({ from, message }) => {
    if (sample >= 0) out({ t: 'ev', s: sample, at: wall(), ev: `${id}<${from} ${kind(JSON.stringify(message))}` });
  });
  let session: Session | null = null;
  const profStart = async (): Promise<void> => {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  };
  const profStop = async (file: string): Promise<void> => {
    if (!session) return;
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    out({ t: 'profile', file });
  };
  let done: (() => void) | null = null;
  peer.room.on('applied', (a) => {
    if (sample >= 0 && a.entry.type === 'commit') out({ t: 'ev', s: sample, at: wall(), ev: `${id} applied` });
    if (a.entry.type === 'commit') done?.();
  });
  const status = (): void => {
    const s = peer.room.status();
    out({ t: 'status', members: s.members.length, sequencer: s.sequencer });
  };
  setInterval(status, 200).unref();
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line: string) => {
    for (const cmd of line.trim().split('\n')) {
      const [c, a, b] = cmd.split(' ');
      if (c === 'sample') sample = Number(a);
      if (c === 'off') sample = -1;
      if (c === 'dump') {
        for (const f of stamps.splice(0)) print(f);
        print({ t: 'dumped' });
      }
      if (c === 'unload') pinger.unload();
      if (c === 'prof-start') void profStart();
      if (c === 'prof-stop' && a) void profStop(a);
      if (c === 'emit') {
        void (async () => {
          const n = Number(a);
          for (let i = 0; i < n; i++) {
            await sleep(3);
            sample = i;
            if (i === Math.floor(n / 2)) print({ t: 'half' });
            await new Promise<void>((resolve) => {
              done = resolve;
              out({ t: 'ev', s: i, at: wall(), ev: `${id} emit` });
              if (b === 'delegated') peer.room.emit(pinger.id, 'job', i);
              else pinger.emit.job(i);
            });
            done = null;
            out({ t: 'ev', s: i, at: wall(), ev: `${id} done` });
            await sleep(3);
          }
          out({ t: 'finished' });
        })();
      }
    }
  });
}

async function parent(mode: string, n: number): Promise<void> {
  const server = createSignalingServer({ port: 0, limits: { leaseTtlMs: 500, messagesPerSecond: 1_000_000 } });
  await server.ready;
  const url = `ws://127.0.0.1:${server.address().port}/signal`;
  const ids = ['l1', 'l2', 'l3'];
  const facts = new Map<string, Record<string, unknown>[]>();
  const procs: ChildProcess[] = ids.map((id) => {
    const c = spawn(process.execPath, [...NODE_TS, import.meta.filename, 'child', url, id], { stdio: ['pipe', 'pipe', 'inherit'] });
    const list: Record<string, unknown>[] = [];
    facts.set(id, list);
    let buf = '';
    c.stdout?.setEncoding('utf8');
    c.stdout?.on('data', (d: string) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        list.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
      }
    });
    return c;
  });
  const last = (id: string, t: string): Record<string, unknown> | undefined => [...(facts.get(id) ?? [])].reverse().find((f) => f['t'] === t);
  try {
    for (let i = 0; i < 3000 && !ids.every((id) => last(id, 'status')?.['members'] === 3 && last(id, 'status')?.['sequencer']); i++) await sleep(20);
    await sleep(500);
    const seq = last('l1', 'status')?.['sequencer'] as string;
    const emitter = ids.find((id) => id !== seq) as string;
    const ep = procs[ids.indexOf(emitter)] as ChildProcess;
    if (mode === 'delegated') {
      ep.stdin?.write('unload\n');
      await sleep(400);
    }
    for (const [i, p] of procs.entries()) if (ids[i] !== emitter) p.stdin?.write('sample 0\n');
    // The other processes stamp under the sample number the emitter is on: they learn it from the emitter's
    // stamps, so here each stamp is placed by time into the emitter's [emit, done] windows instead.
    ep.stdin?.write(`emit ${n} ${mode}\n`);
    const prof = process.env['TRACE_PROF'];
    if (prof) {
      // Profile the second half of the run (warm), every process.
      for (let i = 0; i < 6000 && !last(emitter, 'half'); i++) await sleep(20);
      for (const p of procs) p.stdin?.write('prof-start\n');
    }
    for (let i = 0; i < 6000 && !last(emitter, 'finished'); i++) await sleep(20);
    for (const p of procs) p.stdin?.write('dump\n');
    for (let i = 0; i < 500 && !ids.every((id) => last(id, 'dumped')); i++) await sleep(20);
    if (prof) {
      procs.forEach((p, i) => p.stdin?.write(`prof-stop ${prof}/${ids[i]}.cpuprofile\n`));
      for (let i = 0; i < 500 && !ids.every((id) => last(id, 'profile')); i++) await sleep(20);
    }
    const windows = (facts.get(emitter) ?? []).filter((f) => f['t'] === 'ev');
    const starts = windows.filter((f) => f['ev'] === `${emitter} emit`).map((f) => f['at'] as number);
    const all = ids.flatMap((id) => (facts.get(id) ?? []).filter((f) => f['t'] === 'ev')).sort((a, b) => (a['at'] as number) - (b['at'] as number));
    const steps = new Map<string, number[]>();
    const orders = new Map<string, number>();
    for (let s = Number(process.env["TRACE_SKIP"] ?? 10); s < starts.length - 1; s++) {
      const t0 = starts[s] as number;
      const end = starts[s + 1] as number;
      const evs = all.filter((f) => (f['at'] as number) >= t0 && (f['at'] as number) < end);
      const doneAt = evs.find((f) => f['ev'] === `${emitter} done`)?.['at'] as number | undefined;
      const seen = new Set<string>();
      for (const f of evs) {
        const ev = f['ev'] as string;
        if (seen.has(ev) || (doneAt !== undefined && (f['at'] as number) > doneAt)) continue;
        seen.add(ev);
        const list = steps.get(ev) ?? [];
        list.push((f['at'] as number) - t0);
        steps.set(ev, list);
        orders.set(ev, (orders.get(ev) ?? 0) + 1);
      }
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const doneMs = starts.map((t0, s) => (windows.find((f) => f['ev'] === `${emitter} done` && (f['s'] as number) === s)?.['at'] as number) - t0);
    for (let a = 0; a < doneMs.length; a += 100) console.log(`samples ${a}-${a + 99}: done p50 ${med(doneMs.slice(a, a + 100)).toFixed(3)} ms`);
    const rows = [...steps].map(([ev, xs]) => ({ ev, n: xs.length, ms: med(xs) })).sort((a, b) => a.ms - b.ms);
    const appender = (all.find((f) => />\S+ (claim-result\+)?append/.test(f["ev"] as string))?.["ev"] as string | undefined)?.split(">")[0];
    console.log(`${mode}: emitter ${emitter}, sequencer ${seq} (first append seen from ${appender}), ${starts.length - 11} samples; median ms after emit (n = samples where it happened before done)`);
    for (const r of rows) console.log(`${r.ms.toFixed(3).padStart(8)}  n=${String(r.n).padStart(4)}  ${r.ev}`);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await server.close();
  }
}

if (process.argv[2] === 'child') await child(process.argv[3] ?? '', process.argv[4] ?? '');
else {
  await parent(process.argv[2] ?? 'hosted', Number(process.argv[3] ?? 200));
  process.exit(0);
}
