// Several instances sharing rooms through a real redis-server: membership, signals and relays across
// instances, one lease holder per room, epochs that never repeat across a Redis restart that lost everything,
// and the members of an instance that vanished leaving the room.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/src/index';
import { until } from '../../src/mesh/testing/transport-suite';
import { startServer } from '../mesh/node-peers';
import { RawClient } from './raw-client';
import { startRedis, type RedisProcess } from './redis-server';

let redis: RedisProcess;
let servers: SignalingServer[] = [];
let clients: RawClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function instance(leaseTtlMs = 400): Promise<string> {
  const s = await startServer({ redisUrl: redis.url, limits: { leaseTtlMs, maxPeersPerRoom: 3 } });
  servers.push(s.server);
  return s.url;
}

async function client(url: string): Promise<RawClient> {
  const c = await RawClient.open(url);
  clients.push(c);
  return c;
}

const room = (): string => `room-${Math.random().toString(36).slice(2)}`;

describe('rooms shared through Redis', () => {
  it('peers on two instances see each other, exchange signals and relays, and see leaves', async () => {
    const [u1, u2] = [await instance(), await instance()];
    const r = room();
    const a = await client(u1);
    const b = await client(u2);
    expect((await a.join(r, 'a')).peers).toEqual([]);
    expect((await b.join(r, 'b')).peers).toEqual(['a']);
    expect(await a.next('peer-joined')).toMatchObject({ peer: 'b' });
    a.send({ type: 'signal', to: 'b', payload: 'offer' });
    expect(await b.next('signal')).toMatchObject({ from: 'a', payload: 'offer' });
    b.send({ type: 'relay', to: 'a', data: 'x'.repeat(5000) });
    expect((await a.next('relay')).data).toHaveLength(5000);
    // Room size is enforced across instances (max 3).
    const c = await client(u1);
    await c.join(r, 'c');
    const d = await client(u2);
    d.send({ type: 'join', room: r, peer: 'd', instance: 'd-i' });
    expect(await d.next('error')).toMatchObject({ code: 'room-full', ref: 'join' });
    // A duplicate peer id from another page instance is refused, whichever instance it comes through.
    const imposter = await client(u1);
    imposter.send({ type: 'join', room: r, peer: 'b', instance: 'other' });
    expect(await imposter.next('error')).toMatchObject({ code: 'duplicate-peer' });
    b.send({ type: 'leave' });
    expect(await a.next('peer-left')).toMatchObject({ peer: 'b', reason: 'leave' });
    expect(await c.next('peer-left', 3000)).toMatchObject({ peer: 'b' });
  });

  it('grants one lease holder across instances, hands over on leave, and epochs only grow', async () => {
    const [u1, u2] = [await instance(), await instance()];
    const r = room();
    const a = await client(u1);
    const b = await client(u2);
    await a.join(r, 'a');
    await b.join(r, 'b');
    a.send({ type: 'lease-request', minEpoch: 0 });
    b.send({ type: 'lease-request', minEpoch: 0 });
    await until(
      () =>
        a.frames.some((f) => f.type === 'lease' && f.holder !== null) &&
        b.frames.some((f) => f.type === 'lease' && f.holder !== null),
      3000,
      'both to see a holder',
    );
    const holders = new Set(
      [...a.frames, ...b.frames]
        .filter((f) => f.type === 'lease' && f.holder !== null)
        .map((f) => (f as { holder: string }).holder),
    );
    expect(holders.size).toBe(1);
    const first = [...holders][0]!;
    const [leader, other] = first === 'a' ? [a, b] : [b, a];
    const epoch1 = (leader.frames.filter((f) => f.type === 'lease').at(-1) as { epoch: number }).epoch;
    leader.send({ type: 'leave' });
    await until(
      () => other.frames.some((f) => f.type === 'lease' && f.holder !== first && f.holder !== null),
      3000,
      'the hand-over',
    );
    const after = other.frames.filter((f) => f.type === 'lease').at(-1) as { holder: string; epoch: number };
    expect(after.epoch).toBe(epoch1 + 1);
  });

  it('keeps the room history across instances: told to joiners, changed only by its starter, kept after Redis empties', async () => {
    const [u1, u2] = [await instance(), await instance()];
    const r = room();
    const a = await client(u1);
    expect((await a.join(r, 'a')).record).toEqual({ seen: false });
    a.send({ type: 'history', genesis: 'gA', started: true });
    expect(await a.next('history')).toMatchObject({ genesis: 'gA' });
    const b = await client(u2);
    expect((await b.join(r, 'b')).record).toEqual({ seen: true, genesis: 'gA' });
    b.send({ type: 'history', genesis: 'gB' }); // holds another history, did not start it: told the record
    expect(await b.next('history')).toMatchObject({ genesis: 'gA' });
    b.send({ type: 'history', genesis: 'gB', started: true }); // started a new one: everyone hears, on both instances
    expect(await a.next('history')).toMatchObject({ genesis: 'gB' });
    expect(await b.next('history')).toMatchObject({ genesis: 'gB' });
    await redis.restart(); // Redis comes back with nothing: the instances' own copies still know the history
    const c = await client(u1);
    c.send({ type: 'join', room: r, peer: 'c', instance: 'c-i' });
    expect((await c.next('joined', 8000)).record).toEqual({ seen: true, genesis: 'gB' });
  });

  it('repeats no epoch after Redis restarts empty: the instances keep the floor', async () => {
    const url = await instance(300);
    const r = room();
    const lead = async (peer: string): Promise<number> => {
      const c = await client(url);
      await c.join(r, peer);
      c.send({ type: 'lease-request', minEpoch: 0 });
      await until(
        () => c.frames.some((f) => f.type === 'lease' && f.holder === peer),
        5000,
        `${peer} to lead`,
      );
      const epoch = (
        c.frames.filter((f) => f.type === 'lease' && f.holder === peer).at(-1) as { epoch: number }
      ).epoch;
      c.send({ type: 'leave' });
      return epoch;
    };
    const e1 = await lead('p1');
    const e2 = await lead('p2');
    expect(e2).toBe(e1 + 1);
    const stayer = await client(url);
    await stayer.join(r, 'stayer');
    await redis.restart(); // no persistence: Redis comes back with nothing
    const e3 = await lead('p3');
    expect(e3).toBeGreaterThan(e2);
    // A member that stayed connected through the outage is back in Redis's room: its lease request is answered.
    stayer.frames.length = 0;
    stayer.send({ type: 'lease-request', minEpoch: 0 });
    await until(
      () => stayer.frames.some((f) => f.type === 'lease' && f.holder === 'stayer'),
      5000,
      'the stayer to lead',
    );
    const e4 = (
      stayer.frames.filter((f) => f.type === 'lease' && f.holder === 'stayer').at(-1) as { epoch: number }
    ).epoch;
    expect(e4).toBeGreaterThan(e3);
  });

  it('the members of an instance killed with SIGKILL leave the room for the others within seconds', async () => {
    const u1 = await instance();
    const cli = path.resolve(import.meta.dirname, '../../signaling-server/src/cli.ts');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--port', '0', '--redis', redis.url, '--log-level', 'silent'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until(() => /:(\d+)\/signal/.test(out), 15_000, 'the second instance to listen');
      const u2 = `ws://127.0.0.1:${/:(\d+)\/signal/.exec(out)![1]}/signal`;
      const r = room();
      const a = await client(u1);
      const b = await client(u2);
      await a.join(r, 'a');
      await b.join(r, 'b');
      await a.next('peer-joined');
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGKILL');
      await exited;
      const t0 = Date.now();
      expect(await a.next('peer-left', 8000)).toMatchObject({ peer: 'b', reason: 'timeout' });
      expect(Date.now() - t0).toBeLessThan(6000);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
