// The durable room record: lease epochs never repeat across a room emptying, a server restart (--data), or a
// crash that tore the last line of the file; a second process cannot share the folder. The room's history
// (genesis id) is kept beside the epoch floor and told to every joiner.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirError, fileRoomRecords, memoryRoomRecords, recordView } from '../../signaling-server/src/room-records';
import type { SignalingServer, SignalingServerOptions } from '../../signaling-server/src/index';
import { nodeWebSocket, startServer } from '../mesh/node-peers';
import { SignalingClient } from '../../src/mesh/signaling-client';
import { asPeerId } from '../../src/core/ids';
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

describe('room history record', () => {
  it('memory and file records: the first report sets it, only a started one replaces it; the file keeps it', () => {
    const dir = tmp();
    for (const records of [memoryRoomRecords(), fileRoomRecords(dir)]) {
      expect(recordView(records, 'r')).toEqual({ seen: false });
      expect(records.history('r', 'gA', false)).toBe(true); // a holder reports: the room had none
      expect(records.history('r', 'gB', false)).toBe(false); // another holder, not its starter: advice stays
      expect(records.genesis('r')).toBe('gA');
      expect(records.history('r', 'gB', true)).toBe(true); // someone started a new history: it replaces
      expect(records.history('r', 'gB', true)).toBe(false);
      records.granted('s', 3);
      expect(recordView(records, 'r')).toEqual({ seen: true, genesis: 'gB' });
      expect(recordView(records, 's')).toEqual({ seen: true });
      records.close();
    }
    fs.appendFileSync(path.join(dir, 'rooms.jsonl'), '{"r":"t","g":"bad genesis!"}\n{"r":"u","g":"gU"}\n{"r":"v"}\n{"r":"r","g":"gC"');
    const reopened = fileRoomRecords(dir);
    expect(reopened.skippedOnOpen).toBe(3); // a name the wire would refuse, a line with nothing, a torn tail
    expect(reopened.genesis('r')).toBe('gB');
    expect(reopened.genesis('u')).toBe('gU');
    expect(reopened.genesis('t')).toBeNull();
    expect(reopened.floor('s')).toBe(3);
    reopened.close();
    // Compacted: one line per room, epoch and history together.
    const lines = fs.readFileSync(path.join(dir, 'rooms.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as object);
    expect(lines).toEqual(expect.arrayContaining([{ r: 'r', g: 'gB' }, { r: 's', e: 3 }, { r: 'u', g: 'gU' }]));
    expect(lines).toHaveLength(3);
  });

  it('through the server: a joiner is told the record, reports are echoed or broadcast, bad ones refused, --data keeps it', async () => {
    const dataDir = tmp();
    server = (await startServer({ dataDir })).server;
    const url = `ws://127.0.0.1:${server.address().port}/signal`;
    const a = await RawClient.open(url);
    expect((await a.join('h', 'a')).record).toEqual({ seen: false });
    a.send({ type: 'history', genesis: 'gA', started: true });
    expect(await a.next('history')).toMatchObject({ genesis: 'gA' });
    const b = await RawClient.open(url);
    expect((await b.join('h', 'b')).record).toEqual({ seen: true, genesis: 'gA' });
    // A peer of another history that did not start it leaves the record alone and is told what it says.
    b.send({ type: 'history', genesis: 'gB' });
    expect(await b.next('history')).toMatchObject({ genesis: 'gA' });
    // Starting a new history replaces it, and everyone in the room hears.
    b.send({ type: 'history', genesis: 'gB', started: true });
    expect(await a.next('history')).toMatchObject({ genesis: 'gB' });
    expect(await b.next('history')).toMatchObject({ genesis: 'gB' });
    // Bad input is refused with an error frame and counted; the server goes on.
    for (const bad of [{ type: 'history' }, { type: 'history', genesis: 'a b' }, { type: 'history', genesis: 'x'.repeat(200) }, { type: 'history', genesis: 'g', started: 'yes' }])
      a.send(bad);
    await until(() => a.errors().length === 4, 3000, 'four refusals');
    expect(a.errors()).toEqual(['bad-frame', 'bad-frame', 'bad-frame', 'bad-frame']);
    expect(server.stats().rejected['bad-frame']).toBe(4);
    a.close();
    b.close();
    await restart();
    server = (await startServer({ dataDir })).server;
    const c = await RawClient.open(`ws://127.0.0.1:${server.address().port}/signal`);
    expect((await c.join('h', 'c')).record).toEqual({ seen: true, genesis: 'gB' });
    c.close();
  });
});

describe('SignalingClient and the room record', () => {
  it('tells its history after every (re)join and follows the record; a started report stops once recorded', async () => {
    const dataDir = tmp();
    server = (await startServer({ dataDir })).server;
    const port = server.address().port;
    const url = `ws://127.0.0.1:${port}/signal`;
    const client = new SignalingClient({ url, room: 'rec', peerId: asPeerId('a'), webSocket: nodeWebSocket, backoff: { minMs: 20, maxMs: 100 } });
    const seen: (string | undefined)[] = [];
    client.onRecord((r) => seen.push(r.genesis));
    client.reportHistory('gA', true); // before joining: told once joined
    try {
      await client.connect();
      expect(client.record).toEqual({ seen: false });
      await until(() => client.record?.genesis === 'gA', 3000, 'the record to name gA');
      // The server restarts (its --data folder kept), on the same port: the client rejoins and is told the record.
      await restart();
      server = (await startServer({ dataDir, port })).server;
      await until(() => seen.length >= 4, 5000, 'the record after the rejoin, and the answer to the report');
      expect(seen).toEqual([undefined, 'gA', 'gA', 'gA']); // joined {}, echo; joined {gA}, echo of the re-told report
      // Another peer that did not start its history cannot move the record; a started one can, and we hear it.
      const other = await RawClient.open(url);
      await other.join('rec', 'b');
      other.send({ type: 'history', genesis: 'gB', started: true });
      await until(() => client.record?.genesis === 'gB', 3000, 'the record to name gB');
      other.close();
    } finally {
      await client.close();
    }
  });
});

describe('room records are bounded (see room-record-bounds.test.ts)', () => {
  it('a client opening 300 room names leaves at most --max-room-records records; an open room keeps its record', async () => {
    server = (await startServer({ dataDir: tmp(), limits: { maxRoomRecords: 20 } })).server;
    const url = `ws://127.0.0.1:${server.address().port}/signal`;
    // A room that stays open the whole time, its lease held: its record is the oldest but never forgotten.
    const keeper = await RawClient.open(url);
        await keeper.join('kept', 'k');
    keeper.send({ type: 'lease-request', minEpoch: 0 });
    expect((await keeper.next('lease')).holder).toBe('k');
    for (let i = 0; i < 300; i++) await leadOnce({}, `junk-${i}`, `p${i}`);
    expect(server.stats().roomRecords).toBeLessThanOrEqual(20);
    // The open room's record is still there: a second peer joining it is told the room was seen.
    const second = await RawClient.open(url);
        expect((await second.join('kept', 'k2')).record).toEqual({ seen: true });
    // A forgotten room looks new: its next lease starts from 1 again (epochs are ballots the peers own:
    // docs/protocol.md "Ballots" — a repeated server epoch is not a repeated ballot).
    expect(await leadOnce({}, 'junk-0', 'again')).toBe(1);
    keeper.close();
    second.close();
  }, 60_000);
});
