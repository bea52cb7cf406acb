// The signaling server attacked from outside, in-process on an ephemeral loopback port: random and hostile
// WebSocket frames, slow (slowloris) HTTP requests, oversized requests, and a connection flood from one
// address — all bounded in count and time. The server must stay up and keep serving honest clients.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/src/index';
import { until } from '../../src/mesh/testing/transport-suite';
import { startServer } from '../mesh/node-peers';
import { rawGet, rawRequest } from '../signaling/raw-http';
import { RawClient } from '../signaling/raw-client';

let server: SignalingServer;
let url = '';
let port = 0;
let site = '';

beforeAll(async () => {
  site = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-attack-'));
  fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html>INDEX');
  const s = await startServer({ staticDir: site, limits: { maxMessageBytes: 64 * 1024, messagesPerSecond: 2000, maxPeersPerRoom: 64, maxConnections: 2000, pingIntervalMs: 2000, leaseTtlMs: 1500 } });
  server = s.server;
  url = s.url;
  port = server.address().port;
});

afterAll(async () => {
  await server.close();
  fs.rmSync(site, { recursive: true, force: true });
});

/** The server still serves: a new socket gets its ping answered, and the app page loads. */
async function stillServes(): Promise<void> {
  const c = await RawClient.open(url);
  try {
    c.send({ type: 'ping', t: 42 });
    expect((await c.next('pong', 3000)).t).toBe(42);
  } finally {
    c.close();
  }
  const page = await rawGet(port, '/');
  expect(page.status).toBe(200);
  expect(page.body).toContain('INDEX');
}

const TYPES = ['join', 'leave', 'signal', 'relay', 'lease-request', 'lease-release', 'history', 'ping', 'nope', '__proto__', 'constructor'];

/** A frame an attacker might send: garbage text, near-valid JSON with wrong fields, raw relay frames, binary. */
const hostileFrame = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.record({ v: fc.oneof(fc.constant(1), fc.anything()), type: fc.constantFrom(...TYPES), room: fc.anything(), peer: fc.anything(), to: fc.anything(), data: fc.anything(), payload: fc.anything(), minEpoch: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2)), instance: fc.anything(), genesis: fc.oneof(fc.string({ maxLength: 200 }), fc.anything()), started: fc.anything() }, { requiredKeys: ['v', 'type'] }).map((o) => JSON.stringify(o)),
  fc.tuple(fc.string({ maxLength: 140 }), fc.string({ maxLength: 100 })).map(([p, d]) => `R${p}\n${d}`),
  fc.constantFrom(
    '['.repeat(20_000) + ']'.repeat(20_000),
    '{"v":1,"type":"join","__proto__":{"polluted":1},"room":"r","peer":"p","instance":"i"}',
    '{"v":1,"type":"relay","to":"' + 'a'.repeat(5000) + '","data":"x"}',
    'x'.repeat(64 * 1024 + 1),
    '\u0000\uffff\ud800',
    '{"v":1,"type":"history","genesis":"' + 'g'.repeat(200) + '","started":true}',
    '{"v":1,"type":"history","genesis":"g\\n{\\"r\\":\\"x\\",\\"e\\":99}","started":true}',
  ),
);

describe('attack: the signaling server from outside', () => {
  it('random and hostile WebSocket frames from several sockets never stop it', async () => {
    const clients = await Promise.all([0, 1, 2, 3].map(() => RawClient.open(url)));
    // Half the sockets have joined a room first, so frames hit the joined code paths too.
    await clients[0]?.join('fuzz-room', 'f0');
    await clients[1]?.join('fuzz-room', 'f1');
    const frames = fc.sample(hostileFrame, { numRuns: 400, seed: 7 });
    frames.forEach((f, i) => {
      const c = clients[i % clients.length] as RawClient;
      if (!c.closed) c.ws.send(f);
    });
    await new Promise((r) => setTimeout(r, 300));
    for (const c of clients) c.close();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    await stillServes();
  }, 30_000);

  it('a lease request reporting an epoch near 2^53 cannot make the server grant a term no client accepts', async () => {
    const a = await RawClient.open(url);
    const b = await RawClient.open(url);
    try {
      await a.join('poison-room', 'a');
      a.send({ type: 'lease-request', minEpoch: Number.MAX_SAFE_INTEGER });
      const granted = await a.next('lease');
      expect(granted.holder).toBe('a');
      expect(granted.epoch).toBeLessThan(2 ** 40);
      a.send({ type: 'lease-release' });
      await b.join('poison-room', 'b');
      b.send({ type: 'lease-request', minEpoch: 0 });
      await until(() => b.frames.some((f) => f.type === 'lease' && f.holder === 'b'), 3000, 'b to be granted a valid lease');
    } finally {
      a.close();
      b.close();
    }
  });

  it('slowloris: 60 requests trickling their headers do not keep honest clients out', async () => {
    const slow: net.Socket[] = [];
    for (let i = 0; i < 60; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write(`GET /${i} HTTP/1.1\r\nHost: localhost\r\n`);
      slow.push(s);
    }
    let k = 0;
    const drip = setInterval(() => {
      for (const s of slow) if (!s.destroyed) s.write(`X-${k}: ${'a'.repeat(10)}\r\n`);
      k++;
    }, 100);
    try {
      const t0 = Date.now();
      await stillServes();
      expect(Date.now() - t0).toBeLessThan(5000);
      // A slow WebSocket upgrade (headers never finished) must not block others either.
      const half = net.connect(port, '127.0.0.1');
      half.on('error', () => undefined);
      half.write('GET /signal HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
      await stillServes();
      half.destroy();
    } finally {
      clearInterval(drip);
      for (const s of slow) s.destroy();
    }
  }, 30_000);

  it('oversized headers and a large request body get an answer, not a crash', async () => {
    const big = await rawGet(port, '/', `X-Big: ${'b'.repeat(64 * 1024)}\r\n`);
    expect(big.status === 431 || big.status === 400 || big.status === 0).toBe(true);
    const body = Buffer.alloc(4 * 1024 * 1024, 0x61);
    const post = await rawRequest(port, Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]), 10_000);
    expect(post.status).toBeGreaterThanOrEqual(200);
    // A WebSocket frame far above the limit closes that socket only.
    const c = await RawClient.open(url);
    c.ws.send('y'.repeat(1024 * 1024));
    await until(() => c.closed || c.errors().includes('too-large'), 5000, 'the oversized frame to be refused');
    c.close();
    await stillServes();
  }, 30_000);

  it('a flood of 300 sockets from one address is refused or served, and the server recovers when it ends', async () => {
    const flood: WebSocket[] = [];
    const opened: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      const ws = new WebSocket(url);
      ws.on('error', () => undefined);
      flood.push(ws);
      opened.push(new Promise<void>((r) => { ws.once('open', () => r()); ws.once('close', () => r()); ws.once('error', () => r()); }));
    }
    await Promise.all(opened);
    // Many of them try to take seats in one room.
    flood.forEach((ws, i) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ v: 1, type: 'join', room: 'squat', peer: `s${i}`, instance: `i${i}` }));
    });
    await new Promise((r) => setTimeout(r, 500));
    for (const ws of flood) ws.terminate();
    await until(() => server.stats().connections <= 1, 10_000, 'the flood to be gone');
    await stillServes();
  }, 60_000);
});
