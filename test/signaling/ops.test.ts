// Operating the server: settings from flags and environment, one-line errors from the real bin, /metrics in
// Prometheus format, the Origin check, TURN REST credentials on /ice, and a graceful SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../signaling-server/src/config';
import type { SignalingServer, SignalingServerOptions } from '../../signaling-server/src/index';
import { turnCredential } from '../../signaling-server/src/ice';
import { until } from '../../src/mesh/testing/transport-suite';
import { startServer } from '../mesh/node-peers';
import { RawClient } from './raw-client';

// The CLI from source through tsx (unit tests run before `npm run build:signal`; e2e tests run the built bin).
const CLI = path.resolve(__dirname, '../../signaling-server/src/cli.ts');
const node = (args: readonly string[]): string[] => ['--import', 'tsx', CLI, ...args];
let server: SignalingServer | null = null;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = null;
});

async function boot(opts: SignalingServerOptions = {}): Promise<{ url: string; http: string }> {
  const s = await startServer(opts);
  server = s.server;
  return { url: s.url, http: `http://127.0.0.1:${s.server.address().port}` };
}

describe('settings', () => {
  it('reads flags and environment variables; a flag wins', () => {
    const c = parseConfig(['--port', '9000', '--max-peers-per-room', '8'], {
      PORT: '1234',
      HOST: '0.0.0.0',
      KINETIC_ALLOW_ORIGIN: 'https://a.example, https://b.example',
      KINETIC_MAX_CONNECTIONS: '50',
      KINETIC_LOG_LEVEL: 'warn',
    });
    expect(c).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      allowOrigins: ['https://a.example', 'https://b.example'],
      logLevel: 'warn',
      limits: { maxPeersPerRoom: 8, maxConnections: 50 },
    });
    expect(parseConfig([], {})).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      allowOrigins: null,
      turnTtlSeconds: 86400,
    });
    expect(parseConfig(['--turn', 'turn:127.0.0.1:3478', '--turn-secret', 's3'], {})).toMatchObject({
      turn: ['turn:127.0.0.1:3478'],
      turnSecret: 's3',
    });
  });

  it('refuses bad settings with one line naming the flag or variable', () => {
    const bad: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--nope'], {}, /Unknown option '--nope'/],
      [['--port', '-5'], {}, /^--port needs a value \(one starting with '-' is written --port=-…\)$/],
      [[], { PORT: '70000' }, /^PORT must be an integer/],
      [['--max-connections', '0'], {}, /^--max-connections must be an integer/],
      [['--log-level', 'loud'], {}, /must be one of/],
      [['--allow-origin', 'example.org'], {}, /is not an origin/],
      [['--turn', 'turn:x'], {}, /needs --turn-secret/],
      [['--ice-transport-policy', 'relay'], {}, /needs --turn/],
    ];
    for (const [argv, env, message] of bad) {
      let err: unknown;
      try {
        parseConfig(argv, env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('the kinetic-signal bin', () => {
  const run = (
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, node(args), {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('--version, --help, and one-line errors for an unknown flag and a port in use', async () => {
    expect(run(['--version']).stdout).toMatch(/^kinetic-signal \d+\.\d+\.\d+\n$/);
    const help = run(['--help']).stdout;
    expect(help).toContain('--allow-origin');
    // Every flag stands apart from its description, however long the flag (it once ran into it).
    for (const line of help.split('\n').filter((l) => l.startsWith('  --'))) expect(line).toMatch(/^ {2}--\S+( <[^>]+>)? {2,}\S/);
    const unknown = run(['--frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("kinetic-signal: Unknown option '--frobnicate' (see --help)\n");
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const busy = run(['--log-level', 'silent'], { PORT: String(port) });
      expect(busy.status).toBe(1);
      expect(busy.stderr).toBe(`kinetic-signal: port ${port} on 127.0.0.1 is in use\n`);
    } finally {
      blocker.close();
    }
  });

  it('logs JSON lines and exits 0 on SIGTERM after telling its clients', async () => {
    const child = spawn(process.execPath, node(['--port', '0', '--log-level', 'info']), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await until(() => /listening on ws:\/\/127\.0\.0\.1:(\d+)/.test(out), 15_000, 'the bin to listen');
    const port = Number(/:(\d+)\/signal/.exec(out)![1]);
    const c = await RawClient.open(`ws://127.0.0.1:${port}/signal`);
    await c.join('r', 'a');
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(c.errors()).toContain('shutting-down');
    const lines = err
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.map((l) => l.msg)).toEqual(['listening', 'shutting down']);
    expect(lines.every((l) => typeof l.level === 'number')).toBe(true);
  });
});

describe('/metrics, /healthz, /ice and the Origin check', () => {
  it('counts connections, rooms, frames, relayed bytes, lease grants and rate-limited frames', async () => {
    const { url, http } = await boot({ limits: { messagesPerSecond: 30 } });
    const a = await RawClient.open(url);
    const b = await RawClient.open(url);
    clients.push(a, b);
    await a.join('m', 'a');
    await b.join('m', 'b');
    a.send({ type: 'relay', to: 'b', data: 'x'.repeat(100) });
    await b.next('relay');
    a.send({ type: 'lease-request', minEpoch: 0 });
    await a.next('lease');
    for (let i = 0; i < 60; i++) b.send({ type: 'ping', t: i });
    await until(() => b.errors().includes('rate-limited'), 3000, 'rate limiting');
    const text = await (await fetch(`${http}/metrics`)).text();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('kinetic_connections')).toBe(2);
    expect(value('kinetic_rooms')).toBe(1);
    expect(value('kinetic_relayed_bytes_total')).toBe(100);
    expect(value('kinetic_lease_grants_total')).toBe(1);
    expect(value('kinetic_rate_limited_total')).toBeGreaterThan(0);
    expect(value('kinetic_frames_in_total')).toBeGreaterThanOrEqual(64);
    expect(value('kinetic_frames_out_total')).toBeGreaterThanOrEqual(5);
    expect(value('kinetic_errors_total')).toBe(0);
    expect(text).toMatch(/^kinetic_rejected_frames_total\{code="rate-limited"\} \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(await (await fetch(`${http}/healthz`)).text()).toBe('ok');
  });

  it('hands out TURN REST credentials that coturn can check, expiring after the TTL', async () => {
    const now = Date.UTC(2030, 0, 1);
    const { http } = await boot({
      wallNow: () => now,
      ice: {
        stun: ['stun:stun.example.org:3478'],
        turn: ['turn:127.0.0.1:3478?transport=udp'],
        turnSecret: 'sekret',
        turnTtlSeconds: 600,
      },
    });
    const res = await fetch(`${http}/ice`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const cfg = (await res.json()) as {
      iceServers: { urls: string[]; username?: string; credential?: string }[];
      ttl: number;
    };
    expect(cfg.iceServers[0]).toEqual({ urls: ['stun:stun.example.org:3478'] });
    const turn = cfg.iceServers[1]!;
    expect(turn.username).toBe(`${now / 1000 + 600}:kinetic`);
    expect(turn.credential).toBe(createHmac('sha1', 'sekret').update(turn.username!).digest('base64'));
    expect(turnCredential('sekret', 'kinetic', now / 1000 + 600)).toEqual({
      username: turn.username,
      credential: turn.credential,
    });
    expect(cfg.ttl).toBe(600);
  });

  it('lets only the allowed origins open WebSockets (clients without Origin are not browsers)', async () => {
    const { url, http } = await boot({ allowOrigins: ['https://mesh.example.org'] });
    const open = (origin?: string): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, origin ? { origin } : {});
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('error', () => undefined);
      });
    expect(await open('https://mesh.example.org')).toBe(101);
    expect(await open('https://evil.example')).toBe(403);
    expect(await open()).toBe(101);
    expect((await fetch(`${http}/ice`, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect(server!.stats().rejected['bad-origin']).toBe(1);
  });

  it('takes the room from the WebSocket URL too (for proxies that route by room) and holds the join to it', async () => {
    const { url } = await boot();
    const c = await RawClient.open(`${url}?room=room-a`);
    clients.push(c);
    c.send({ type: 'join', room: 'room-b', peer: 'p', instance: 'i' });
    expect(await c.next('error')).toMatchObject({ code: 'bad-frame', ref: 'join' });
    expect((await c.join('room-a', 'p')).peers).toEqual([]);
  });
});
