// The signaling server against real sockets on a free port: rooms, relays, limits, liveness, shutdown, and a
// fuzz of malformed frames after which a well-behaved room still works.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/src/index';
import { until } from '../../src/mesh/testing/transport-suite';
import { startServer } from '../mesh/node-peers';
import { RawClient } from './raw-client';

let server: SignalingServer | null = null;
let clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await server?.close();
  server = null;
});

async function boot(limits: Parameters<typeof startServer>[0] = {}): Promise<string> {
  const s = await startServer(limits);
  server = s.server;
  return s.url;
}

async function client(url: string): Promise<RawClient> {
  const c = await RawClient.open(url);
  clients.push(c);
  return c;
}

describe('signaling server', () => {
  it('joins rooms by hash, lists peers, announces joins and leaves, relays signals and data within a room only', async () => {
    const url = await boot();
    const a = await client(url);
    const b = await client(url);
    const other = await client(url);
    expect((await a.join('room-h', 'a')).peers).toEqual([]);
    expect((await b.join('room-h', 'b')).peers).toEqual(['a']);
    expect((await other.join('other-h', 'c')).peers).toEqual([]);
    expect(await a.next('peer-joined')).toMatchObject({ peer: 'b' });
    a.send({ type: 'signal', to: 'b', payload: 'sdp…' });
    expect(await b.next('signal')).toMatchObject({ from: 'a', payload: 'sdp…' });
    b.send({ type: 'relay', to: 'a', data: 'frame' });
    expect(await a.next('relay')).toMatchObject({ from: 'b', data: 'frame' });
    a.send({ type: 'signal', to: 'c', payload: 'x' }); // c is in another room
    expect(await a.next('error')).toMatchObject({ code: 'unknown-peer', ref: 'signal' });
    b.send({ type: 'leave' });
    expect(await a.next('peer-left')).toMatchObject({ peer: 'b', reason: 'leave' });
    other.close();
    expect(other.frames.filter((f) => f.type === 'signal')).toEqual([]);
  });

  it('answers bad input with error frames: bad JSON, unknown type, malformed, not joined, oversize, binary', async () => {
    const url = await boot({ limits: { maxMessageBytes: 1000 } });
    const c = await client(url);
    c.send('{nope');
    c.send({ type: 'teleport' });
    c.send({ type: 'join', room: 'r' });
    c.send({ type: 'signal', to: 'x', payload: 'p' });
    c.send({ type: 'ping', t: 1, pad: 'x'.repeat(2000) });
    c.ws.send(Buffer.from([1, 2, 3]));
    await until(() => c.errors().length === 6, 3000, 'six error frames');
    expect(c.errors()).toEqual(['bad-json', 'unknown-type', 'bad-frame', 'not-joined', 'too-large', 'bad-frame']);
    expect(server!.stats().rejected['bad-json']).toBe(1);
  });

  it('a frame whose `type` is nested 200,000 deep is refused like any unknown type, not an internal error', async () => {
    const c = await client(await boot());
    c.send(`{"v":1,"type":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    expect(await c.next('error')).toMatchObject({ code: 'unknown-type' });
    expect(server!.stats().errors).toBe(0);
  });

  it('rejects duplicate peer ids but lets the same instance replace its stale socket', async () => {
    const url = await boot();
    const a1 = await client(url);
    await a1.join('r', 'a', 'inst-1');
    const imposter = await client(url);
    imposter.send({ type: 'join', room: 'r', peer: 'a', instance: 'inst-2' });
    expect(await imposter.next('error')).toMatchObject({ code: 'duplicate-peer', ref: 'join' });
    const a2 = await client(url);
    await a2.join('r', 'a', 'inst-1');
    await until(() => a1.closed, 2000, 'the stale socket to be replaced');
  });

  it('enforces room size, connection count and message rate', async () => {
    const url = await boot({ limits: { maxPeersPerRoom: 2, maxConnections: 4, messagesPerSecond: 20 } });
    const [a, b, c] = [await client(url), await client(url), await client(url)];
    await a.join('r', 'a');
    await b.join('r', 'b');
    c.send({ type: 'join', room: 'r', peer: 'c', instance: 'i' });
    expect(await c.next('error')).toMatchObject({ code: 'room-full' });
    await client(url);
    const fifth = await client(url);
    expect(await fifth.next('error')).toMatchObject({ code: 'server-full' });
    await until(() => fifth.closed, 2000, 'the fifth socket to close');
    for (let i = 0; i < 100; i++) a.send({ type: 'ping', t: i });
    await until(() => a.errors().includes('rate-limited'), 2000, 'a rate-limit error');
    expect(a.frames.filter((f) => f.type === 'pong').length).toBeLessThan(40);
    expect(a.errors().filter((e) => e === 'rate-limited')).toHaveLength(1); // one explanation per second, not per frame
  });

  it('drops a dead socket (no pongs) and tells the room within a few seconds', async () => {
    const url = await boot({ limits: { pingIntervalMs: 200 } });
    const a = await client(url);
    const b = await client(url);
    await a.join('r', 'a');
    await b.join('r', 'b');
    // Simulate a frozen/vanished client: stop answering pings at the socket level.
    (b.ws as unknown as { pong: () => void }).pong = () => undefined;
    b.ws.removeAllListeners('ping');
    const underlying = (b.ws as unknown as { _receiver: { removeAllListeners(e: string): void; on(e: string, f: () => void): void } })._receiver;
    underlying.removeAllListeners('ping');
    underlying.on('ping', () => undefined);
    const t0 = Date.now();
    expect(await a.next('peer-left', 3000)).toMatchObject({ peer: 'b', reason: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('shuts down gracefully: clients get an error frame and a 1012 close', async () => {
    const url = await boot();
    const a = await client(url);
    await a.join('r', 'a');
    const code = new Promise<number>((r) => a.ws.once('close', (c) => r(c)));
    await server!.close();
    server = null;
    expect(await code).toBe(1012);
    expect(a.errors()).toContain('shutting-down');
  });

  it('survives a fuzz of malformed frames and still serves a well-behaved room', async () => {
    const url = await boot({ limits: { messagesPerSecond: 100_000 } });
    const fuzzer = await client(url);
    const frame = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({ v: fc.constantFrom(1, 2, '1', null), type: fc.constantFrom('join', 'leave', 'signal', 'relay', 'lease-request', 'lease-release', 'ping', 'x'), room: fc.anything(), peer: fc.anything(), to: fc.anything(), payload: fc.anything(), data: fc.anything(), minEpoch: fc.anything(), t: fc.anything(), instance: fc.anything() }, { requiredKeys: ['type'] }).map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 30 }), (frames) => {
        for (const f of frames) fuzzer.send(f);
      }),
      { numRuns: 60, seed: 1234 },
    );
    fuzzer.send({ type: 'ping', t: 42 });
    await until(() => fuzzer.frames.some((f) => f.type === 'pong' && f.t === 42), 5000, 'the fuzzer to get its pong');
    const a = await client(url);
    const b = await client(url);
    await a.join('calm', 'a');
    await b.join('calm', 'b');
    a.send({ type: 'relay', to: 'b', data: 'still fine' });
    expect(await b.next('relay')).toMatchObject({ data: 'still fine' });
    expect(fuzzer.closed).toBe(false);
  });
});
