// The one-call join in Node, against the real signaling server: a peer hosting a counter, a peer using it by
// delegation (typed from the definition, calls with a timeout), and a restart from the same data folder
// resuming as the same peer with the room's state.
import { until } from '../../src/mesh/testing/transport-suite';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/core/errors';
import { reactor } from '../../src/core/reactor';
import { joinRoom } from '../../src/node/join';
import { nodeRooms } from './node-rooms';

const counter = reactor({ name: 'join-counter', version: '1.0.0' }, (r) => {
  const count = r.molecule<number>('count', { distributed: true });
  const incr = r.molecule('incr', { distributed: true });
  const read = r.blocking<void, number>('read', { distributed: true });
  const note = r.molecule<string>('note');
  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  r.react('merge', [count, count], ([a, b], out) => out(count, a + b));
  r.react('read', [count, read], ([n, call], out) => {
    out(count, n);
    call.reply(n);
  });
  r.react('note', [note], () => undefined);
  return { count, incr, read, note };
});

const rooms = nodeRooms('kinetic-join-');

async function readUntil(read: () => Promise<number>, want: number, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let value = -1;
  while (value !== want && Date.now() < end) value = await read().catch(() => -1);
  return value;
}

describe('joinRoom (Node)', () => {
  it('hosts, delegates with types and timeouts, and resumes from its data folder', async () => {
    const link = await rooms.link('join-test', { limits: { leaseTtlMs: 600 } });
    const hostData = rooms.tmp();
    const host = await rooms.join(link, { reactors: { counter }, data: hostData, name: 'host', newHistory: true });
    host.emit.counter.count(0);
    const user = await rooms.join(link, { remote: { counter }, name: 'user', callTimeoutMs: 3000 });
    await Promise.all([host.connected, user.connected]);
    for (let i = 0; i < 5; i++) user.emit.counter.incr();
    expect(await readUntil(() => user.emit.counter.read(), 5, 20_000)).toBe(5);
    expect(user.members().map((m) => m.name).sort()).toEqual(['host', 'user']);
    // The server's room record names the history the host started: a peer opening the link fresh is told.
    const genesis = host.room.status().genesis;
    expect(genesis).toBeDefined();
    await until(() => user.mesh.record.record?.genesis === genesis, 5000, 'the room record to name the host\'s history');
    expect(() => user.emit.counter.note('x')).toThrow(/local molecule/);

    // The host leaves: a call nobody can answer times out with the call's own timeout.
    const hostId = host.peerId;
    await rooms.leave(host);
    await expect(user.emit.counter.read(undefined, { timeoutMs: 300 })).rejects.toBeInstanceOf(TimeoutError);

    // Restarted from the same folder: the same peer, and the count it had.
    const again = await rooms.join(link, { reactors: { counter }, data: hostData, name: 'host' });
    expect(again.peerId).toBe(hostId);
    expect(await readUntil(() => again.emit.counter.read(undefined, { timeoutMs: 3000 }), 5, 20_000)).toBe(5);
  }, 60_000);

  it('says what is wrong with a bad link or a missing server', async () => {
    await expect(joinRoom('https://example.org/no-room-here', { data: rooms.tmp() })).rejects.toThrow(/not a room link/);
    await expect(joinRoom({ room: 'r', key: 'k' }, { data: rooms.tmp() })).rejects.toThrow(/no signaling server/);
  });
});
