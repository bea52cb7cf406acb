// The durable room record: lease epochs never repeat across a room emptying, a server restart (--data), or a
// crash that tore the last line of the file; a second process cannot share the folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirError, fileRoomRecords } from '../../signaling-server/src/room-records';
import type { SignalingServer, SignalingServerOptions } from '../../signaling-server/src/index';
import { startServer } from '../mesh/node-peers';
import { RawClient } from './raw-client';
import { until } from '../../src/mesh/testing/transport-suite';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-data-'));
  dirs.push(d);
  return d;
};
let server: SignalingServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Join a room as a fresh peer that knows no epoch (minEpoch 0), take the lease, leave; the epoch it got. */
async function leadOnce(opts: SignalingServerOptions, room: string, peer: string): Promise<number> {
  if (!server) server = (await startServer(opts)).server;
  const c = await RawClient.open(`ws://127.0.0.1:${server.address().port}/signal`);
  await c.join(room, peer);
  c.send({ type: 'lease-request', minEpoch: 0 });
  let lease = await c.next('lease');
  while (lease.holder !== peer) lease = await c.next('lease');
  c.send({ type: 'leave' });
  c.close();
  return lease.epoch;
}

async function restart(): Promise<void> {
  await server?.close();
  server = null;
}

describe('durable room record', () => {
  it('without --data: a room that empties and fills again continues its epochs', async () => {
    const e1 = await leadOnce({}, 'r', 'a');
    await until(() => server!.stats().rooms === 0, 3000, 'the empty room to be forgotten'); // forgotten…
    const e2 = await leadOnce({}, 'r', 'b');
    expect(e2).toBeGreaterThan(e1); // …but not its epoch floor
  });

  it('with --data: epochs never repeat across restarts, even for peers that report no epoch', async () => {
    const dataDir = tmp();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push(await leadOnce({ dataDir }, 'room-x', `p${i}`));
      seen.push(await leadOnce({ dataDir }, 'room-y', `q${i}`));
      await restart();
    }
    const x = seen.filter((_, i) => i % 2 === 0);
    const y = seen.filter((_, i) => i % 2 === 1);
    expect(x).toEqual([...x].sort((a, b) => a - b));
    expect(new Set(x).size).toBe(3);
    expect(new Set(y).size).toBe(3);
    expect(x[2]).toBeGreaterThan(x[0]!);
  });

  it('skips a torn last line, compacts on open, and refuses a folder another live process holds', () => {
    const dir = tmp();
    const a = fileRoomRecords(dir);
    a.granted('r', 5);
    a.granted('r', 7);
    a.granted('s', 2);
    a.granted('r', 6); // never lowers
    expect(() => fileRoomRecords(dir)).toThrow(DataDirError);
    a.close();
    fs.appendFileSync(path.join(dir, 'rooms.jsonl'), '{"r":"r","e":9'); // a crash mid-write: never announced
    const b = fileRoomRecords(dir);
    expect(b.skippedOnOpen).toBe(1);
    expect(b.floor('r')).toBe(7);
    expect(b.floor('s')).toBe(2);
    expect(b.floor('new')).toBe(0);
    b.close();
    expect(fs.readFileSync(path.join(dir, 'rooms.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    // A lock left by a process that is gone does not keep the folder locked.
    fs.writeFileSync(path.join(dir, 'kinetic-signal.lock'), JSON.stringify({ pid: 999_999_999, started: 0 }));
    fileRoomRecords(dir).close();
    fs.writeFileSync(path.join(dir, 'kinetic-signal.lock'), JSON.stringify({ pid: process.pid, started: 0 })); // same pid, earlier life
    fileRoomRecords(dir).close();
  });
});
