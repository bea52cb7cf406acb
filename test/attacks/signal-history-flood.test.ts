// The room record's history (genesis id) attacked by a member of the room: the `history` frame is cheap to
// send, and a report that changes the record is written and fsync'd (--data) and broadcast to every member.
// A member that flips the record as fast as the frame rate allows must not turn each frame into a disk
// write and a broadcast (one socket stalling every room on the server), and must not stop it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/src/index';
import { until } from '../../src/mesh/testing/transport-suite';
import { startServer } from '../mesh/node-peers';
import { RawClient } from '../signaling/raw-client';

const dirs: string[] = [];
let server: SignalingServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('attack: a member flooding the room record with histories', () => {
  it('3,000 alternating "started" reports: a few record writes and broadcasts, honest pings still answered', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-history-flood-'));
    dirs.push(dataDir);
    const s = await startServer({ dataDir, limits: { messagesPerSecond: 5000 } });
    server = s.server;
    const attacker = await RawClient.open(s.url);
    const honest = await RawClient.open(s.url);
    await attacker.join('flood-room', 'x');
    await honest.join('flood-room', 'h');
    const t0 = Date.now();
    for (let i = 0; i < 3000; i++) attacker.send({ type: 'history', genesis: `g${i % 2}`, started: true });
    honest.send({ type: 'ping', t: 7 });
    expect((await honest.next('pong', 20_000)).t).toBe(7);
    await until(() => attacker.frames.filter((f) => f.type === 'history').length + attacker.errors().length >= 1, 10_000, 'the flood to be handled');
    await new Promise((r) => setTimeout(r, 500));
    const broadcasts = honest.frames.filter((f) => f.type === 'history').length;
    const writes = fs.readFileSync(path.join(dataDir, 'rooms.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"g"')).length;
    expect(broadcasts, 'history broadcasts to the honest member').toBeLessThan(50);
    expect(writes, 'record lines written').toBeLessThan(50);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // The record still works for honest reports afterwards: a joiner is told a history.
    const late = await RawClient.open(s.url);
    const joined = await late.join('flood-room', 'l');
    expect(joined.record?.seen).toBe(true);
    for (const c of [attacker, honest, late]) c.close();
  }, 60_000);
});
