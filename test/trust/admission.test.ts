// Outsiders at the signaling server: a keyed room's id comes from name + key and the server seats only peers
// that show the admission proof; a wrong key lands in another room and is told "a room by this name is open
// under another key"; per-address limits keep 300 key-less connections from locking a legitimate peer out.
import { afterEach, describe, expect, it } from 'vitest';
import { asPeerId } from '../../src/core/ids';
import { deriveRoomSecrets, roomHash, WrongRoomKeyError } from '../../src/mesh/room/crypto';
import { createMeshRoom as createRoom, MeshRoomProblem, type MeshRoom as Room } from '../../src/mesh/room/mesh-room';
import { meshProblemWords } from '../../workers/client/problem-words';
import { until } from '../../src/mesh/testing/transport-suite';
import { wsRelayLink } from '../../src/mesh/ws-relay';
import type { SignalingServer } from '../../signaling-server/src/index';
import { RawClient } from '../signaling/raw-client';
import { nodeWebSocket, startServer } from '../mesh/node-peers';

const ITER = 1000;
let server: SignalingServer | null = null;
const rooms: Room[] = [];
const raws: RawClient[] = [];

afterEach(async () => {
  for (const r of rooms.splice(0)) await r.disconnect();
  for (const c of raws.splice(0)) c.close();
  await server?.close();
  server = null;
});

async function boot(limits: Parameters<typeof startServer>[0] = {}): Promise<string> {
  const started = await startServer(limits);
  server = started.server;
  return started.url;
}

function room(url: string, name: string, key: string, id: string): Room {
  const r = createRoom({ roomName: name, key, keyIterations: ITER, signalingUrl: url, peerId: asPeerId(id), links: [wsRelayLink()], webSocket: nodeWebSocket });
  rooms.push(r);
  return r;
}

async function raw(url: string): Promise<RawClient> {
  const c = await RawClient.open(url);
  raws.push(c);
  return c;
}

describe('admission by key-derived room id', () => {
  it('the id depends on name and key, and reveals neither', async () => {
    const a = await deriveRoomSecrets('team', 'key-1', ITER);
    const b = await deriveRoomSecrets('team', 'key-2', ITER);
    expect(a.roomId).not.toBe(b.roomId);
    expect(a.roomId).not.toContain(await roomHash('team'));
    expect(a.roomId).toMatch(/^k\.[A-Za-z0-9_-]{43}$/);
    expect(a.tag).toBe(b.tag);
    expect(a.tag).toHaveLength(4);
    expect(a.admission).not.toBe(b.admission);
  });

  it('knowing a room id without the proof gets no seat; a wrong proof neither; the right one does', async () => {
    const url = await boot();
    const s = await deriveRoomSecrets('team', 'right', ITER);
    const wrong = await deriveRoomSecrets('team', 'wrong', ITER);
    const bare = await raw(url);
    bare.send({ type: 'join', room: s.roomId, peer: 'thief', instance: 'i' });
    expect((await bare.next('error')).code).toBe('admission-refused');
    bare.send({ type: 'join', room: s.roomId, peer: 'thief', instance: 'i', proof: wrong.admission });
    expect((await bare.next('error')).message).toMatch(/wrong room key/);
    bare.send({ type: 'lease-request', minEpoch: 0 });
    expect((await bare.next('error')).code).toBe('not-joined');
    const ok = await raw(url);
    ok.send({ type: 'join', room: s.roomId, peer: 'member', instance: 'i', proof: s.admission, tag: s.tag });
    expect((await ok.next('joined')).namesakes).toBe(false);
  });

  it('a wrong-key peer that arrives FIRST neither stalls the honest peers nor shares their room; it is told its key is wrong', async () => {
    const url = await boot();
    const intruder = room(url, 'team', 'not-the-key', 'intruder');
    const errors: Error[] = [];
    intruder.on('error', (e) => errors.push(e));
    await intruder.connect();
    // It holds the lease of its own (empty) room: that is all it can take.
    intruder.lease.requestLease(0);
    const honest = [room(url, 'team', 'the-key', 'a'), room(url, 'team', 'the-key', 'b')];
    await Promise.all(honest.map((r) => r.connect()));
    await until(() => honest.every((r) => r.peers().length === 1), 5000, 'the honest peers to link');
    const got: unknown[] = [];
    honest[1]!.on('message', ({ message }) => got.push(message));
    honest[0]!.send(asPeerId('b'), { todo: 'buy milk' });
    await until(() => got.length === 1, 3000, 'a message between honest peers');
    await until(() => errors.some((e) => e instanceof WrongRoomKeyError), 3000, 'the intruder to learn its key is wrong');
    expect(intruder.problem).toBe(MeshRoomProblem.KeyMismatch);
    expect(meshProblemWords(intruder.problem)).toMatch(/wrong room key/i);
    expect(intruder.peers()).toEqual([]);
    for (const r of honest) expect(r.peers()).not.toContain('intruder');
    expect(honest.map((r) => r.problem)).toEqual([null, null]);
  });

  it('the namesake hint follows rooms opening and closing', async () => {
    const url = await boot();
    const a = await deriveRoomSecrets('shared-name', 'k1', ITER);
    const b = await deriveRoomSecrets('shared-name', 'k2', ITER);
    const first = await raw(url);
    first.send({ type: 'join', room: a.roomId, peer: 'p1', instance: 'i', proof: a.admission, tag: a.tag });
    expect((await first.next('joined')).namesakes).toBe(false);
    const second = await raw(url);
    second.send({ type: 'join', room: b.roomId, peer: 'p2', instance: 'i', proof: b.admission, tag: b.tag });
    expect((await second.next('joined')).namesakes).toBe(true);
    expect((await first.next('namesakes')).present).toBe(true);
    second.send({ type: 'leave' });
    expect((await first.next('namesakes')).present).toBe(false);
  });
});

describe('per-address limits', () => {
  it('caps connections and joins per address, and 300 key-less connections cannot lock a legitimate peer out', async () => {
    // Loopback limits set as strict as a remote address's defaults, so this test plays a remote attacker.
    const url = await boot({ limits: { loopbackConnectionsPerAddress: 64, loopbackJoinsPerSecond: 10, maxPeersPerRoom: 64 } });
    const name = 'busy-room';
    const squatRoom = await roomHash(name);
    const target = await deriveRoomSecrets(name, 'the-key', ITER);
    // 300 key-less connections, each trying the name's hash and the honest room's id (learned somehow).
    const opened = await Promise.allSettled(Array.from({ length: 300 }, () => raw(url)));
    const squatters = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    squatters.forEach((c, i) => c.send({ type: 'join', room: i % 2 ? squatRoom : target.roomId, peer: `sq${i}`, instance: 'i' }));
    await until(() => squatters.every((c) => c.closed || c.frames.length > 0), 10_000, 'every squatter answered');
    const refusedConn = squatters.filter((c) => c.errors().includes('too-many-connections')).length;
    const seatedAnywhere = squatters.filter((c) => c.frames.some((f) => f.type === 'joined')).length;
    const refusedAdmission = squatters.filter((c) => c.errors().includes('admission-refused')).length;
    expect(refusedConn).toBeGreaterThanOrEqual(300 - 64);
    expect(seatedAnywhere).toBeLessThanOrEqual(20); // the join budget: a burst of 2 × 10
    expect(refusedAdmission + seatedAnywhere).toBeLessThanOrEqual(64);
    expect(server!.stats().rejected['too-many-connections']).toBeGreaterThanOrEqual(300 - 64);
    // The squatters free their sockets; the honest peers (another address in real life: here the same one,
    // after the join budget refills) get into their room, which no squatter ever entered.
    for (const c of squatters) c.close();
    await until(() => server!.stats().connections === 0, 5000, 'squatters gone');
    await new Promise((r) => setTimeout(r, 1200));
    const honest = [room(url, name, 'the-key', 'a'), room(url, name, 'the-key', 'b')];
    await Promise.all(honest.map((r) => r.connect()));
    await until(() => honest.every((r) => r.peers().length === 1), 5000, 'the honest peers to link');
  });

  it('a client over the join budget is told to retry, and does (not a final refusal)', async () => {
    const url = await boot({ limits: { loopbackJoinsPerSecond: 1 } });
    const burst = await Promise.all(Array.from({ length: 3 }, () => raw(url)));
    burst.forEach((c, i) => c.send({ type: 'join', room: 'r', peer: `p${i}`, instance: 'i' }));
    await until(() => burst.every((c) => c.frames.length > 0), 3000, 'answers');
    expect(burst.filter((c) => c.errors().includes('too-many-connections'))).toHaveLength(1);
    await until(() => burst.filter((c) => c.closed).length === 1, 3000, 'the refused socket closed');
    const late = room(url, 'late', 'k', 'late');
    await late.connect(); // retries with backoff until the budget refills
    expect(late.signaling).toBe('connected');
  });
});
