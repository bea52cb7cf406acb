// One process of bench/scale: several headless Node peers (ws-relay, server lease) in one room, each
// hosting the contended counter. stdout: one JSON line per fact; stdin: one command per line.
//   tsx bench/lib/scale-peer.ts <signalingUrl> <room> <roomSize> <id>[,<id>...]
// Commands: `join` (start the peers; sent to every process at once, so join time excludes process start),
// `seed` (emit count(0) once), `count <k> <target>` (each peer here emits k increments and
// reports when it has applied `target` of them in all), `usage` (CPU and memory of this process), `stats`
// (fenced commits and refused claims per peer since the last `count`), `stop`.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { asPeerId, type ReactorId } from '../../src/core/ids';
import { reactor } from '../../src/core/reactor';
import { startNodePeer, type NodePeer } from '../../src/node/peer';

const [url = '', roomName = '', sizeArg = '2', idsArg = ''] = process.argv.slice(2);
const size = Number(sizeArg);
const out = (fact: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(fact)}\n`);
// The driver is gone (it stopped or crashed): nobody reads us any more.
process.stdout.on('error', () => process.exit(0));

const counter = reactor({ name: 'scale-counter', version: '1.0.0' }, (r) => {
  const count = r.molecule<number>('count', { distributed: true });
  const incr = r.molecule('incr', { distributed: true });
  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  return { count, incr };
});

/** Report once when this peer has seen `target` increments (applied one by one, or in its count's value). */
function check(r: Running, scan = false): void {
  if (r.reported || r.target === Infinity) return;
  if (!scan && r.applied < r.target) return;
  const counts = r.peer.machine.molecules({ reactor: r.reactor }).find((m) => m.name === 'count');
  const value = (counts?.values ?? []).reduce<number>((a, v) => a + (typeof v === 'number' ? v : 0), 0);
  if (Math.max(r.applied, value) < r.target) return;
  r.reported = true;
  out({ t: 'counted', id: r.peer.mesh.self, at: Date.now() });
}

interface Running {
  readonly peer: NodePeer;
  readonly emit: { count(n: number): void; incr(): void };
  readonly reactor: ReactorId;
  applied: number;
  target: number;
  reported: boolean;
  readonly sent: Map<string, number>;
  /** The room's epoch when `count` arrived: terms begun during the counter are the lease's lapses. */
  epochAtCount: number;
  /** Fenced commits and refused claims before the last `count` (stats reports that round's own). */
  fencedAtCount: number;
  refusedAtCount: number;
}

/** This process's event-loop delay from `count` to `stats`: how late its timers (lease renewal, pings) ran. */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

const running: Running[] = [];
async function join(): Promise<void> {
  await Promise.all(idsArg.split(',').filter(Boolean).map(start));
  out({ t: 'ready', ids: running.map((r) => r.peer.mesh.self) });
}

async function start(raw: string): Promise<void> {
  const id = asPeerId(raw);
  const peer = await startNodePeer({ signalingUrl: url, roomName, peerId: id });
  const loaded = peer.machine.load(counter);
  const r: Running = { peer, emit: loaded.emit, reactor: loaded.id, applied: 0, target: Infinity, reported: false, sent: new Map(), epochAtCount: 0, fencedAtCount: 0, refusedAtCount: 0 };
  if (process.env['SCALE_DEBUG']) {
    // Protocol messages this peer sends, by type (a batch counts each message in it), from `count` on.
    const mesh = peer.mesh as { send(to: string, m: unknown): boolean };
    const send = mesh.send.bind(mesh);
    const tally = (m: { type?: string; messages?: { type?: string }[] }): void => {
      if (r.target === Infinity) return;
      for (const one of m.type === 'batch' ? (m.messages ?? []) : [m]) r.sent.set(String(one.type), (r.sent.get(String(one.type)) ?? 0) + 1);
    };
    mesh.send = (to, m) => (tally(m as { type?: string }), send(to, m));
  }
  running.push(r);
  let linked = false;
  let members = false;
  const checkLinked = (): void => {
    if (!linked && peer.mesh.peers().length >= size - 1) {
      linked = true;
      out({ t: 'linked', id, at: Date.now() });
    }
  };
  peer.mesh.on('peer-connected', checkLinked);
  checkLinked();
  peer.room.on('status', (s) => {
    if (!members && s.members.length >= size) {
      members = true;
      out({ t: 'members', id, at: Date.now() });
    }
  });
  peer.mesh.on('peer-disconnected', ({ peerId, reason }) => out({ t: 'dropped', id, peer: peerId, reason, at: Date.now() }));
  peer.room.on('applied', (a) => {
    if (a.entry.type !== 'commit' || a.entry.reaction !== 'incr') return;
    r.applied++;
    check(r);
  });
  // A replica that fell behind catches up from a snapshot: those increments are never applied one by one,
  // so the count's value in the replica is checked too (now and then: it scans the copies).
  const poll = setInterval(() => check(r, true), 500);
  poll.unref();
}
out({ t: 'booted' });

/** SCALE_PROF_DIR: a CPU profile of this process from the last `count` to `stats` (the counter), one file per process. */
const profDir = process.env['SCALE_PROF_DIR'];
let profiling: Session | null = null;
async function profileStart(): Promise<void> {
  if (!profDir) return;
  if (profiling) {
    // A later `count` (after a SCALE_WARMUP round): profile that one alone.
    await profiling.post('Profiler.stop');
    await profiling.post('Profiler.start');
    return;
  }
  profiling = new Session();
  profiling.connect();
  await profiling.post('Profiler.enable');
  await profiling.post('Profiler.start');
}
async function profileStop(): Promise<void> {
  const session = profiling;
  if (!session || !profDir) return;
  profiling = null;
  const { profile } = await session.post('Profiler.stop');
  fs.mkdirSync(profDir, { recursive: true });
  fs.writeFileSync(path.join(profDir, `${idsArg.split(',')[0] ?? 'peer'}-${process.pid}.cpuprofile`), JSON.stringify(profile));
  session.disconnect();
}

async function stopAll(): Promise<void> {
  await Promise.all(running.map((r) => r.peer.stop().catch(() => undefined)));
  process.exit(0);
}

function command(line: string): void {
  const [cmd, a = '0', b = '0'] = line.trim().split(/\s+/);
  switch (cmd) {
    case 'join':
      return void join().catch((e: unknown) => out({ t: 'error', message: String(e) }));
    case 'seed':
      return running[0]?.emit.count(0);
    case 'count': {
      void profileStart();
      loopDelay.reset();
      loopDelay.enable();
      for (const r of running) {
        r.epochAtCount = r.peer.room.status().epoch;
        const before = r.peer.machine.stats();
        r.fencedAtCount = before.commitsFenced;
        r.refusedAtCount = before.claimsRefused;
        r.target = Number(b);
        r.reported = false;
        check(r);
      }
      for (let i = 0; i < Number(a); i++) for (const r of running) r.emit.incr();
      return;
    }
    case 'usage': {
      const cpu = process.cpuUsage();
      return out({ t: 'usage', cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss, at: Date.now() });
    }
    case 'stats':
      loopDelay.disable();
      void profileStop().finally(() => {
        const lagMaxMs = Math.round(loopDelay.max / 1e6);
        const lagP99Ms = Math.round(loopDelay.percentile(99) / 1e6);
        for (const r of running) {
          const s = r.peer.machine.stats();
          const { role, epoch } = r.peer.room.status();
          const terms = epoch - r.epochAtCount;
          out({ t: 'stats', id: r.peer.mesh.self, role, fenced: s.commitsFenced - r.fencedAtCount, refused: s.claimsRefused - r.refusedAtCount, applied: r.applied, links: r.peer.mesh.peers().length, sent: Object.fromEntries(r.sent), terms, lagMaxMs, lagP99Ms });
        }
      });
      return;
    case 'stop':
      return void stopAll();
  }
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) if (line.trim()) command(line);
});
process.on('SIGTERM', () => void stopAll());
