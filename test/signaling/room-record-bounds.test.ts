// Room records are bounded: a client opening endless room names cannot grow the server's memory, its --data file
// or Redis without limit (the case through the server, with --data, is in room-records.test.ts). In memory and in
// the file at most `maxRoomRecords` rooms are kept (the least recently seen room that is not open goes first; the
// file is compacted from what is kept); in Redis a room record expires once nobody touched it for the record TTL.
// A forgotten room looks new to the next joiner — advice lost, never safety (docs/self-hosting.md, "What the
// server keeps").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/src/index';
import { roomKeys } from '../../signaling-server/src/redis/keys';
import { RoomRecordTable } from '../../signaling-server/src/room-record-table';
import { fileRoomRecords, memoryRoomRecords } from '../../signaling-server/src/room-records';
import { startServer } from '../mesh/node-peers';
import { RawClient } from './raw-client';
import { startRedis, type RedisProcess } from './redis-server';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-bounds-'));
  dirs.push(d);
  return d;
};
const servers: SignalingServer[] = [];
const clients: RawClient[] = [];
let redis: RedisProcess | null = null;
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await redis?.stop();
  redis = null;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('RoomRecordTable', () => {
  it('forgets the least recently seen room that is not open; reading a room counts as seeing it', () => {
    const open = new Set(['a']);
    const t = new RoomRecordTable({ maxRecords: 3, isOpen: (r) => open.has(r) });
    for (const r of ['a', 'b', 'c']) t.upsert(r).e = 1;
    t.get('b'); // b seen again: c is now the least recently seen closed room
    t.upsert('d');
    expect([...t.entries()].map(([r]) => r).sort()).toEqual(['a', 'b', 'd']); // a is older but open
    expect(t.get('c')).toBeUndefined(); // reading a room not kept does not add it
    expect(t.size).toBe(3);
    expect(t.evicted).toBe(1);
  });

  it('never forgets an open room: with every room open it may exceed its bound until some close', () => {
    const t = new RoomRecordTable({ maxRecords: 2, isOpen: () => true });
    for (const r of ['a', 'b', 'c', 'd']) t.upsert(r);
    expect(t.size).toBe(4);
    expect(t.evicted).toBe(0);
  });
});

describe('memory and file records stay within maxRecords', () => {
  it('memory: 10,000 room names leave 100 records, the most recently seen', () => {
    const records = memoryRoomRecords({ maxRecords: 100 });
    for (let i = 0; i < 10_000; i++) records.granted(`room-${i}`, 1);
    expect(records.stats()).toEqual({ records: 100, evicted: 9_900 });
    expect(records.floor('room-9999')).toBe(1);
    expect(records.floor('room-0')).toBe(0); // forgotten: looks new
  });

  it('file: the file is compacted from what is kept, so it stays within maxRecords + compactAfterLines lines; a restart keeps the same rooms', () => {
    const dir = tmp();
    const file = path.join(dir, 'rooms.jsonl');
    const records = fileRoomRecords(dir, { maxRecords: 50, compactAfterLines: 100 });
    let most = 0;
    for (let i = 0; i < 600; i++) {
      records.granted(`room-${i}`, 1 + (i % 7));
      if (i % 3 === 0) records.history(`room-${i}`, `g${i}`, false);
      if (i % 5 === 0) most = Math.max(most, fs.readFileSync(file, 'utf8').split('\n').length - 1);
    }
    expect(most).toBeLessThanOrEqual(50 + 100 + 1);
    expect(records.stats().records).toBe(50);
    records.close();
    const again = fileRoomRecords(dir, { maxRecords: 50, compactAfterLines: 100 });
    expect(again.stats().records).toBe(50);
    expect(again.floor('room-599')).toBe(1 + (599 % 7));
    expect(again.genesis('room-597')).toBe('g597');
    expect(again.floor('room-10')).toBe(0);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(50); // compacted on open
    again.close();
  });
});

describe('through the server, with Redis', () => {
  it('with Redis: a room record expires after the record TTL once nobody touches it, and lives while its holder renews', async () => {
    redis = await startRedis();
    const s = await startServer({ redisUrl: redis.url, limits: { leaseTtlMs: 300, roomRecordTtlSeconds: 2 } });
    servers.push(s.server);
    const r = new Redis(redis.url);
    try {
      const [, lease] = roomKeys('ttl-room');
      // In use: the holder renews every TTL/3 for longer than the record TTL; the record stays.
      const holder = await RawClient.open(s.url);
      clients.push(holder);
      await holder.join('ttl-room', 'h');
      const start = Date.now();
      while (Date.now() - start < 3000) {
        holder.send({ type: 'lease-request', minEpoch: 0 });
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(await r.exists(lease!)).toBe(1);
      const ttl = await r.pttl(lease!);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(2000);
      holder.send({ type: 'leave' });
      holder.close();
      // Untouched: gone after the TTL.
      let exists = 1;
      for (let i = 0; i < 60 && exists === 1; i++) {
        await new Promise((res) => setTimeout(res, 100));
        exists = await r.exists(lease!);
      }
      expect(exists).toBe(0);
    } finally {
      r.disconnect();
    }
  }, 30_000);
});
