// bench/signal: the signaling server under load, beside y-webrtc's signaling server in the same run.
// - kinetic-signal: two instances sharing rooms through a real redis-server; N WebSocket clients in pairs, the
//   two peers of a pair on different instances (so every relay crosses Redis);
// - y-webrtc 10.3.0's own bin/server.js (one process: it cannot share rooms), the same N clients in pairs
//   (one topic per pair).
// Metrics: connections held per instance and each server's RSS; join latency (socket open → the server's
// answer: `joined`, or y-webrtc's pong after subscribe) and relay latency (A sends → B receives) p50/p99.
// N = SIGNAL_BENCH_CONNECTIONS (default 5000); bounded in time (each phase has a deadline).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { freePort, startRedis } from '../test/signaling/redis-server';
import { stats, writeResult } from './lib/result';
import { NODE_TS } from './lib/node-ts';

const N = Math.max(2, Number(process.env['SIGNAL_BENCH_CONNECTIONS'] ?? 5000) & ~1);
const RELAY_SAMPLES = Number(process.env['SIGNAL_BENCH_RELAYS'] ?? 2000);
const CONCURRENCY = 100;
const PHASE_MS = 120_000;
const root = path.resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];
const out = (msg: string): void => void process.stderr.write(`bench/signal: ${msg}\n`);

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function kineticInstance(redisUrl: string): Promise<{ child: ChildProcess; port: number }> {
  // The built bin when there is one (what a deployment runs); else the sources through tsx.
  const bin = path.join(root, 'signaling-server/dist/cli.js');
  const entry = fs.existsSync(bin)
    ? [bin]
    : [...NODE_TS, path.join(root, 'signaling-server/src/cli.ts')];
  const args = [
    ...entry,
    '--port',
    '0',
    '--redis',
    redisUrl,
    '--log-level',
    'warn',
    '--max-connections',
    String(N + 100),
    '--max-peers-per-room',
    '64',
    // y-webrtc's server pings every 30 s; the same here, so one overloaded client process is not dropped
    // by our 2 s liveness sweep in the middle of the measurement.
    '--ping-interval-ms',
    '30000',
    // Every client of this benchmark comes from 127.0.0.1: lift the per-address limits (y-webrtc has none).
    '--loopback-connections-per-address',
    String(N + 100),
    '--loopback-joins-per-second',
    '100000',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  await waitFor(() => /:(\d+)\/signal/.test(text), 30_000, 'kinetic-signal to listen');
  return { child, port: Number(/:(\d+)\/signal/.exec(text)![1]) };
}

async function yWebrtcServer(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const server = path.join(root, 'node_modules/y-webrtc/bin/server.js');
  const child = spawn(
    process.execPath,
    ['--import', path.join(import.meta.dirname, 'lib/listen-loopback.mjs'), server],
    { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(child);
  await waitFor(
    () =>
      new Promise<boolean>((r) =>
        net
          .connect(port, '127.0.0.1')
          .once('connect', function (this: net.Socket) {
            this.destroy();
            r(true);
          })
          .once('error', () => r(false)),
      ),
    15_000,
    'y-webrtc server',
  );
  return { child, port };
}

/** One protocol's client side: how to join, how to send a relay, how to recognise the answers. */
interface Dialect {
  url(i: number): string;
  join(ws: WebSocket, i: number): void;
  isJoined(msg: Record<string, unknown>): boolean;
  relay(ws: WebSocket, i: number, token: string): void;
  /** The relayed token, if this message is a relay from the partner. */
  relayed(msg: Record<string, unknown>, i: number): string | null;
}

const partner = (i: number): number => i ^ 1;

const kinetic = (ports: readonly number[]): Dialect => ({
  url: (i) => `ws://127.0.0.1:${ports[i % ports.length]}/signal?room=pair-${i >> 1}`,
  join: (ws, i) =>
    ws.send(JSON.stringify({ v: 1, type: 'join', room: `pair-${i >> 1}`, peer: `p${i}`, instance: `i${i}` })),
  isJoined: (m) => m['type'] === 'joined',
  relay: (ws, i, token) =>
    ws.send(JSON.stringify({ v: 1, type: 'relay', to: `p${partner(i)}`, data: token })),
  relayed: (m, i) => (m['type'] === 'relay' && m['from'] === `p${partner(i)}` ? String(m['data']) : null),
});

const yWebrtc = (port: number): Dialect => ({
  url: () => `ws://127.0.0.1:${port}`,
  // y-webrtc's server never acknowledges a subscribe; a ping behind it is answered once it is in effect.
  join: (ws, i) => {
    ws.send(JSON.stringify({ type: 'subscribe', topics: [`pair-${i >> 1}`] }));
    ws.send(JSON.stringify({ type: 'ping' }));
  },
  isJoined: (m) => m['type'] === 'pong',
  relay: (ws, i, token) =>
    ws.send(JSON.stringify({ type: 'publish', topic: `pair-${i >> 1}`, from: i, data: token })),
  relayed: (m, i) => (m['type'] === 'publish' && m['from'] === partner(i) ? String(m['data']) : null),
});

interface Client {
  ws: WebSocket;
  onRelay: ((token: string) => void) | null;
}

async function openAll(
  d: Dialect,
): Promise<{ clients: Client[]; joinMs: number[]; failed: number; errors: Record<string, number> }> {
  const clients: Client[] = new Array(N);
  const joinMs: number[] = [];
  let failed = 0;
  const errors: Record<string, number> = {};
  let next = 0;
  const deadline = Date.now() + PHASE_MS;
  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const ws = new WebSocket(d.url(i), { perMessageDeflate: false });
      const client: Client = { ws, onRelay: null };
      let joined = false;
      const timer = setTimeout(() => {
        if (!joined) {
          joined = true; // settled, as a failure
          failed++;
          ws.terminate();
          resolve();
        }
      }, 20_000);
      ws.on('open', () => d.join(ws, i));
      ws.on('message', (raw) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(raw.toString()) as Record<string, unknown>;
        } catch {
          return;
        }
        if (!joined && msg['type'] === 'error')
          errors[String(msg['code'])] = (errors[String(msg['code'])] ?? 0) + 1;
        if (!joined && d.isJoined(msg)) {
          joined = true;
          clearTimeout(timer);
          joinMs.push(performance.now() - t0);
          clients[i] = client;
          resolve();
          return;
        }
        const token = d.relayed(msg, i);
        if (token !== null) client.onRelay?.(token);
      });
      ws.on('error', () => undefined);
      ws.on('close', (code) => {
        if (joined) return;
        joined = true; // settled, as a failure
        errors[`close-${code}`] = (errors[`close-${code}`] ?? 0) + 1;
        failed++;
        clearTimeout(timer);
        resolve();
      });
    });
  const worker = async (): Promise<void> => {
    while (next < N && Date.now() < deadline) await one(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (failed) out(`${failed} joins got no answer within 20 s (error frames: ${JSON.stringify(errors)})`);
  return { clients, joinMs, failed, errors };
}

async function relays(d: Dialect, clients: Client[]): Promise<number[]> {
  const samples: number[] = [];
  const pairs = clients.length >> 1;
  let k = 0;
  const deadline = Date.now() + PHASE_MS;
  const one = (): Promise<void> => {
    const pair = (k * 7919) % pairs;
    const i = 2 * pair + (k & 1);
    k++;
    const from = clients[i];
    const to = clients[partner(i)];
    if (!from || !to) return Promise.resolve();
    const token = `t${k}`;
    return new Promise((resolve) => {
      const t0 = performance.now();
      const timer = setTimeout(() => {
        to.onRelay = null;
        resolve();
      }, 10_000);
      to.onRelay = (got) => {
        if (got !== token) return;
        samples.push(performance.now() - t0);
        to.onRelay = null;
        clearTimeout(timer);
        resolve();
      };
      d.relay(from.ws, i, token);
    });
  };
  const worker = async (): Promise<void> => {
    while (samples.length < RELAY_SAMPLES && k < RELAY_SAMPLES * 2 && Date.now() < deadline) await one();
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return samples;
}

async function closeAll(clients: Client[]): Promise<void> {
  for (const c of clients) c?.ws.terminate();
  await new Promise((r) => setTimeout(r, 500));
}

const metric = async (port: number, name: string): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
};

const redis = await startRedis();
// Stopped early (Ctrl-C, a timeout): take the servers down too.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    void redis.stop().finally(() => process.exit(1));
  });
try {
  out(`${N} connections, ${RELAY_SAMPLES} relay samples`);
  // kinetic-signal: two instances sharing rooms through Redis.
  const instances = [await kineticInstance(redis.url), await kineticInstance(redis.url)];
  const idleRss = instances.map((x) => rssOf(x.child.pid!));
  const kd = kinetic(instances.map((x) => x.port));
  const k = await openAll(kd);
  const held = await Promise.all(instances.map((x) => metric(x.port, 'kinetic_connections')));
  const rss = instances.map((x) => rssOf(x.child.pid!));
  out(
    `kinetic-signal: ${held.join(' + ')} connections held, RSS ${rss.map((r) => (r / 2 ** 20).toFixed(0)).join(' + ')} MiB`,
  );
  const kRelay = await relays(kd, k.clients.filter(Boolean));
  await closeAll(k.clients);
  for (const x of instances) x.child.kill('SIGTERM');

  // y-webrtc's signaling server, same load.
  const y = await yWebrtcServer();
  const yIdle = rssOf(y.child.pid!);
  const yd = yWebrtc(y.port);
  const yc = await openAll(yd);
  const yRss = rssOf(y.child.pid!);
  out(`y-webrtc server: ${yc.joinMs.length} connections held, RSS ${(yRss / 2 ** 20).toFixed(0)} MiB`);
  const yRelay = await relays(yd, yc.clients.filter(Boolean));
  await closeAll(yc.clients);
  y.child.kill('SIGTERM');

  const kj = stats(k.joinMs);
  const kr = stats(kRelay);
  const yj = stats(yc.joinMs);
  const yr = stats(yRelay);
  const mib = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
  writeResult(
    'signal',
    {
      connections: N,
      kineticHeldInstance1: held[0]!,
      kineticHeldInstance2: held[1]!,
      kineticRssInstance1MiB: mib(rss[0]!),
      kineticRssInstance2MiB: mib(rss[1]!),
      kineticKiBPerConnection:
        Math.round(
          ((rss[0]! - idleRss[0]! + rss[1]! - idleRss[1]!) / Math.max(1, held[0]! + held[1]!) / 1024) * 10,
        ) / 10,
      kineticJoinP50Ms: kj.p50,
      kineticJoinP99Ms: kj.p99,
      kineticRelayP50Ms: kr.p50,
      kineticRelayP99Ms: kr.p99,
      yWebrtcHeld: yc.joinMs.length,
      yWebrtcRssMiB: mib(yRss),
      yWebrtcKiBPerConnection: Math.round(((yRss - yIdle) / Math.max(1, yc.joinMs.length) / 1024) * 10) / 10,
      yWebrtcJoinP50Ms: yj.p50,
      yWebrtcJoinP99Ms: yj.p99,
      yWebrtcRelayP50Ms: yr.p50,
      yWebrtcRelayP99Ms: yr.p99,
    },
    {
      setup:
        'loopback; kinetic-signal: 2 instances + redis-server, pairs split across instances (every relay crosses Redis); y-webrtc 10.3.0 bin/server.js: 1 process; one client process opens all sockets, 100 at a time',
      kinetic: { join: kj, relay: kr, failedJoins: k.failed, joinErrors: k.errors, idleRss },
      yWebrtc: { join: yj, relay: yr, failedJoins: yc.failed, idleRss: yIdle },
    },
  );
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await redis.stop();
}
process.exit(0);
