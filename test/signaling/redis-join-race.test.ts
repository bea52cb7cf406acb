// A frame for a peer whose join is still in Redis: the instance reads the script's reply on one connection
// and frames routed to it by other instances on another, so a frame can come first. It used to be dropped
// (a lost greeting left two peers unlinked for good: redis-processes.test.ts timed out waiting for four
// members under load); now it waits and follows the peer's `joined`. A real redis-server; the routed frame is
// published the way another instance's RemoteMember publishes it, before the joining instance subscribed.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../signaling-server/src/log';
import type { Member } from '../../signaling-server/src/room-port';
import { memoryRoomRecords } from '../../signaling-server/src/room-records';
import { createRedisRooms, type RedisRooms } from '../../signaling-server/src/redis/redis-rooms';
import type { ServerFrameBody } from '../../src/protocol/signaling';
import { until } from '../../src/mesh/testing/transport-suite';
import { startRedis, type RedisProcess } from './redis-server';

let redis: RedisProcess;
const open: RedisRooms[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(open.map((r) => r.close()));
  await redis.stop();
});

async function instance(): Promise<RedisRooms> {
  const r = createRedisRooms({
    url: redis.url,
    leaseTtlMs: 400,
    maxPeersPerRoom: 8,
    records: memoryRoomRecords(),
    log: silentLog,
    onGrant: () => undefined,
    onError: (e) => {
      throw e;
    },
    onRejected: () => undefined,
  });
  open.push(r);
  await r.ready;
  return r;
}

/** A member that records the frames it is sent, in order (`relay` as a frame of its own). */
function recorder(peer: string): Member & { frames: Array<{ type: string; from?: string }> } {
  const frames: Array<{ type: string; from?: string }> = [];
  return {
    peer,
    instance: `${peer}-page`,
    frames,
    send: (f: ServerFrameBody) => void frames.push(f as { type: string }),
    relay: (from) => void frames.push({ type: 'relay', from }),
    kick: () => undefined,
  };
}

describe('a shared room routes frames to a peer whose join is still in Redis', () => {
  it('delivers them after its joined, in order, instead of dropping them', async () => {
    const [a, b] = [await instance(), await instance()];
    const room = `race-${Math.random().toString(36).slice(2)}`;
    const p2 = recorder('p2');
    b.get(room).join(p2);
    await until(() => p2.frames.some((f) => f.type === 'joined'), 5000, 'p2 joined');

    const raw = new Redis(redis.url);
    try {
      await raw.ping(); // connected before the join starts
      const p1 = recorder('p1');
      a.get(room).join(p1); // a opens the room: its join waits for the room's subscription first
      // What b's RemoteMember for p1 publishes: a greeting and a relay frame, on a's channel, right now.
      await Promise.all([
        raw.publish(`kinetic:srv:${a.serverId}`, JSON.stringify({ r: room, p: 'p1', f: { type: 'signal', from: 'p2', payload: 'hello' } })),
        raw.publish(`kinetic:srv:${a.serverId}`, JSON.stringify({ r: room, p: 'p1', from: 'p2', d: 'frame' })),
      ]);
      await until(() => p1.frames.some((f) => f.type === 'relay'), 5000, 'the relayed frame to reach p1');
      const order = p1.frames.map((f) => f.type).filter((t) => t !== 'lease');
      expect(order).toEqual(['joined', 'signal', 'relay']);
      expect(p1.frames[1]).toMatchObject({ from: 'p2', payload: 'hello' });
    } finally {
      raw.disconnect();
    }
  });
});
