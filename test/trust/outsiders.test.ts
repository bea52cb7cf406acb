// Outsiders and misbehaving peers against the real stack: OS processes over a real kinetic-signal (a wrong-key
// peer that arrives first cannot stall the honest peers), and in-process peers with the full mesh + dcm stack
// (a peer flooding refused messages is cut off, shown as misbehaving and taken back after its cool-down; a
// value nested 20,000 deep no longer kills the sequencer).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock';
import { createMachine } from '../../src/core/machine';
import type { Machine } from '../../src/core/machine-api';
import { asPeerId } from '../../src/core/ids';
import { reactor } from '../../src/core/reactor';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import { createDistributedRoom, type DistributedRoom } from '../../src/dcm/room';
import { createMeshRoom, MeshRoomProblem, type MeshRoom } from '../../src/mesh/room/mesh-room';
import { until } from '../../src/mesh/testing/transport-suite';
import { deriveRoomSecrets } from '../../src/mesh/room/crypto';
import type { Transport } from '../../src/mesh/transport';
import { createWsRelayTransport, wsRelayLink } from '../../src/mesh/ws-relay';
import { createMemoryStore } from '../../src/store/memory';
import type { SignalingServer } from '../../signaling-server/src/index';
import { nodeWebSocket, rendezvous, startServer } from '../mesh/node-peers';

const script = path.join(import.meta.dirname, 'keyed-peer.ts');
const floodScript = path.join(import.meta.dirname, 'flood-peer.ts');

interface Proc {
  readonly id: string;
  readonly child: ChildProcess;
  readonly facts: Record<string, unknown>[];
}

const procs: Proc[] = [];
let server: SignalingServer | null = null;

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await server?.close();
});

function spawnPeer(url: string, id: string, key: string): Proc {
  return spawnScript(script, [url, 'team', id, key], id);
}

function spawnScript(file: string, args: string[], id: string): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const proc: Proc = { id, child, facts: [] };
  let buffer = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      proc.facts.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
      buffer = buffer.slice(nl + 1);
    }
  });
  procs.push(proc);
  return proc;
}

const status = (p: Proc): Record<string, unknown> | undefined => [...p.facts].reverse().find((f) => f['t'] === 'status');
const taken = (p: Proc): number => Math.max(0, ...p.facts.filter((f) => f['t'] === 'taken').map((f) => f['n'] as number));

describe('a wrong-key peer that arrives first (OS processes, real kinetic-signal)', () => {
  it('holds only its own room: the honest peers elect their own sequencer and commit everything', async () => {
    const started = await startServer({ limits: { leaseTtlMs: 600 } });
    server = started.server;
    const intruder = spawnPeer(started.url, 'intruder', 'not-the-key');
    // Before the fix it became the sequencer of the honest room; now it leads only its own, empty one.
    await until(() => status(intruder)?.['sequencer'] === 'intruder', 30_000, 'the intruder to lead its own room');
    const honest = [spawnPeer(started.url, 'a', 'the-key'), spawnPeer(started.url, 'b', 'the-key')];
    await until(() => honest.every((p) => (status(p)?.['peers'] as string[] | undefined)?.length === 1), 30_000, 'the honest peers to link');
    await until(() => honest.every((p) => ['a', 'b'].includes(status(p)?.['sequencer'] as string)), 20_000, 'an honest sequencer');
    honest[0]!.child.stdin?.write('emit 20\n');
    await until(() => honest.every((p) => taken(p) === 20), 30_000, 'all 20 notes taken, seen by both honest peers');
    await until(() => status(intruder)?.['problem'] === MeshRoomProblem.KeyMismatch, 10_000, 'the intruder to be told its key is wrong');
    expect(status(intruder)?.['peers']).toEqual([]);
    expect(taken(intruder)).toBe(0);
    for (const p of honest) {
      expect(status(p)?.['peers']).not.toContain('intruder');
      expect(status(p)?.['problem']).toBeNull();
    }
  });
});

// ---- in-process: the whole peer stack, so tests can read the mesh room and tune its thresholds -----------------

interface Peer {
  readonly mesh: MeshRoom;
  readonly room: DistributedRoom;
  readonly machine: Machine;
}

const live: Peer[] = [];
const meshes: MeshRoom[] = [];
const raws: Transport[] = [];
afterEach(async () => {
  for (const p of live.splice(0)) {
    await p.room.stop();
    p.machine.dispose();
    await p.mesh.disconnect();
  }
  for (const m of meshes.splice(0)) await m.disconnect();
  for (const r of raws.splice(0)) await r.disconnect();
  await server?.close();
  server = null;
});

const notes = reactor({ name: 'trust-notes', version: '1.0.0' }, (r) => {
  const note = r.molecule<string>('note', { distributed: true });
  r.react('take', [note], () => undefined);
  return { note };
});

async function honestPeer(url: string, id: string, misbehavior = { threshold: 20, windowMs: 10_000, coolDownMs: 1500 }, liveness?: { heartbeatMs: number; deadAfterMs: number }): Promise<Peer & { taken: () => number }> {
  const self = asPeerId(id);
  const mesh = createMeshRoom({ roomName: 'team', key: 'the-key', keyIterations: 1000, signalingUrl: url, peerId: self, links: [wsRelayLink()], webSocket: nodeWebSocket, misbehavior, ...(liveness ? { liveness } : {}) });
  const elector = createLeaseElector({ self, lease: mesh.lease, clock: systemClock });
  const room = createDistributedRoom({ self, transport: mesh, elector, store: createMemoryStore(), timings: { removeAfterMs: 800 } });
  const machine = createMachine({ peerId: self, distributed: room });
  await room.start();
  await mesh.connect();
  const peer = { mesh, room, machine };
  live.push(peer);
  let taken = 0;
  room.on('applied', (a) => {
    if (a.entry.type === 'commit' && a.entry.reaction === 'take') taken++;
  });
  return { ...peer, taken: () => taken };
}

/** A key holder running modified code: a bare mesh room (no dcm) that sends whatever it likes. */
async function rogue(url: string, id: string): Promise<MeshRoom> {
  const mesh = createMeshRoom({ roomName: 'team', key: 'the-key', keyIterations: 1000, signalingUrl: url, peerId: asPeerId(id), links: [wsRelayLink()], webSocket: nodeWebSocket });
  meshes.push(mesh);
  await mesh.connect();
  return mesh;
}

function deepJson(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('misbehaving peers (full peer stack in-process, real kinetic-signal)', () => {
  it('a peer flooding invalid protocol messages is cut off, shown as misbehaving, and taken back after its cool-down', async () => {
    const started = await startServer();
    server = started.server;
    const honest = await honestPeer(started.url, 'honest');
    const loaded = honest.machine.load(notes);
    const flooder = await rogue(started.url, 'flooder');
    const fid = asPeerId('flooder');
    await until(() => honest.mesh.peers().includes(fid) && flooder.peers().includes(honest.mesh.self), 10_000, 'the flooder linked both ways');
    const dropped: string[] = [];
    honest.mesh.on('peer-disconnected', ({ peerId, reason }) => peerId === fid && dropped.push(reason));
    for (let i = 0; i < 30; i++) flooder.send(honest.mesh.self, { v: 1, type: 'append', epoch: 'garbage', i });
    await until(() => dropped.includes('misbehaving'), 15_000, 'the flooder cut off');
    expect(honest.room.status().invalidMessages).toBeGreaterThanOrEqual(20);
    expect(honest.mesh.stats().cutOffs).toBe(1);
    expect(honest.mesh.peers()).not.toContain(fid);
    expect(honest.mesh.members().find((m) => m.id === fid)?.state).toBe('misbehaving');
    expect(honest.mesh.members().find((m) => m.id === fid)?.links).toEqual([]); // its relay link is closed too
    // While cut off nothing it sends is read.
    const before = honest.room.status().invalidMessages;
    for (let i = 0; i < 5; i++) flooder.send(honest.mesh.self, { v: 1, type: 'append', epoch: 'garbage' });
    await new Promise((r) => setTimeout(r, 300));
    expect(honest.room.status().invalidMessages).toBe(before);
    // The honest peer keeps working alone meanwhile.
    loaded.emit.note('still here');
    await until(() => honest.taken() === 1, 15_000, 'the honest peer to commit on its own');
    // After the cool-down it behaves (the mesh's heartbeat frames are valid) and is back.
    await until(() => honest.mesh.peers().includes(fid), 20_000, 'the flooder back after its cool-down');
    expect(honest.mesh.members().find((m) => m.id === fid)?.state).not.toBe('misbehaving');
  });

  it('a key holder flooding valid messages faster than the sequencer reads them: bounded, counted, cut off; the room keeps committing', async () => {
    const started = await startServer();
    server = started.server;
    // Cut off at 5 refusals in 10 s (500 dropped messages) so the test ends in seconds; the default 50 needs 5,000.
    // A flooder starved of CPU on a loaded machine (CI runs test files side by side) goes quiet between its
    // sealed bursts; the victim's liveness is not what this test is about, so a silence under 15 s is not a cut.
    const seq = await honestPeer(started.url, 'seq', { threshold: 5, windowMs: 10_000, coolDownMs: 30_000 }, { heartbeatMs: 250, deadAfterMs: 15_000 });
    seq.machine.load(notes);
    await until(() => seq.room.status().role === 'sequencer', 10_000, 'a sequencer');
    const rep = await honestPeer(started.url, 'rep', undefined, { heartbeatMs: 250, deadAfterMs: 15_000 });
    const loaded = rep.machine.load(notes);
    await until(() => seq.mesh.peers().includes(rep.mesh.self) && rep.room.status().sequencer === 'seq', 10_000, 'the replica following');
    const fid = asPeerId('flooder');
    const cut: string[] = [];
    seq.mesh.on('peer-disconnected', ({ peerId, reason }) => peerId === fid && cut.push(reason));
    // Its own process, so this process's heap is the victim's (and the server's).
    const flooder = spawnScript(floodScript, [started.url, 'team', 'flooder', 'the-key', 'seq', String(seq.room.status().epoch), '30'], 'flooder');
    await until(() => flooder.facts.some((f) => f['t'] === 'linked'), 20_000, 'the flooder linked');
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const start = Date.now();
    // While it floods, the replica emits; sampled until the flooder is cut off or gives up (bounded in time).
    for (let round = 0; Date.now() - start < 40_000 && !cut.includes('misbehaving') && !flooder.facts.some((f) => f['t'] === 'done'); round++) {
      if (round % 10 === 0) loaded.emit.note(`during-${round}`);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      await new Promise((r) => setTimeout(r, 50));
    }
    const sent = Math.max(0, ...flooder.facts.map((f) => (f['frames'] as number | undefined) ?? 0));
    const dropped = seq.room.status().inboundDropped ?? 0;
    // Counted as misbehaving (100 messages dropped count as one refused message; the threshold here is 5) and
    // cut off once its drops reach that. Whether it outruns the victim depends on the machine: the flooder seals
    // every frame the victim must open, and since 2026-12-01 a quiet CI machine's victim read 2,688 frames of
    // 512 messages as fast as they came (0 dropped; the drop path itself is test/dcm/inbound.test.ts's).
    const why = `cut off as ${JSON.stringify(cut)}; dropped ${dropped} messages of ${sent} frames`;
    if (dropped >= 5 * 100) expect(cut, why).toContain('misbehaving');
    expect(sent, why).toBeGreaterThan(0);
    expect(dropped, why).toBeLessThan(sent * 512);
    // Bounded: at most MAX_QUEUED_PER_SENDER (4,096) of its messages waited at once; unbounded, every one of
    // the messages it had relayed by then waited (hundreds of MiB).
    expect(heapPeak - heapBefore).toBeLessThan(256 * 1024 * 1024);
    // The victim kept committing: every note the replica emitted is taken, and one more after the flood.
    let taken = 0;
    await until(() => {
      taken = seq.taken();
      return taken > 0 && rep.taken() === taken && seq.room.status().outbox === 0 && rep.room.status().outbox === 0;
    }, 20_000, 'the notes emitted during the flood taken');
    loaded.emit.note('after');
    await until(() => seq.taken() === taken + 1 && rep.taken() === taken + 1, 15_000, 'a note after the flood taken');
    expect(seq.room.status().role).toBe('sequencer');
  }, 90_000);

  it('a value nested 20,000 deep is refused on receipt: the sequencer stays alive and keeps committing', async () => {
    const started = await startServer();
    server = started.server;
    const seq = await honestPeer(started.url, 'seq');
    const loaded = seq.machine.load(notes);
    await until(() => seq.room.status().role === 'sequencer', 10_000, 'a sequencer');
    const attacker = await rogue(started.url, 'attacker');
    await until(() => seq.mesh.peers().includes(asPeerId('attacker')) && attacker.peers().includes(seq.mesh.self), 10_000, 'linked both ways');
    const deep = deepJson(20_000);
    const emit = { v: 1, type: 'emit', items: [{ source: 'attacker~1', seq: 1, molecule: { id: 'attacker~1:1', reactor: 'r', name: 'note', value: deep } }] };
    // An honest encoder cannot even serialise it: the send path reports, it does not throw.
    const errors: Error[] = [];
    attacker.on('error', (e) => errors.push(e));
    expect(attacker.send(seq.mesh.self, emit)).toBe(false);
    expect(errors.some((e) => /cannot be encoded/.test(e.message))).toBe(true);
    // A modified client writes the JSON text itself: a room frame carrying the emit, straight onto the relay.
    const secrets = await deriveRoomSecrets('team', 'the-key', 1000);
    const rv = rendezvous(started.url, secrets.roomId, asPeerId('raw'), secrets.cipher, { proof: secrets.admission, tag: secrets.tag });
    const raw = createWsRelayTransport({ rendezvous: rv, ownsClient: true });
    raws.push(raw);
    await raw.connect();
    await until(() => raw.peers().includes(seq.mesh.self), 5000, 'the raw attacker linked');
    raw.send(seq.mesh.self, { k: 'hi', n: 'raw', st: 'up' });
    const value = `${'['.repeat(20_000)}0${']'.repeat(20_000)}`;
    const invalidBefore = seq.room.status().invalidMessages;
    expect(rv.relay(seq.mesh.self, `m{"k":"m","s":0,"d":{"v":1,"type":"emit","items":[{"source":"raw~1","seq":1,"molecule":{"id":"raw~1:1","reactor":"r","name":"note","value":${value}}}]}}`)).toBe(true);
    await until(() => seq.room.status().invalidMessages === invalidBefore + 1, 5000, 'the deep emit refused and counted');
    for (let i = 0; i < 5; i++) loaded.emit.note(`after-${i}`);
    await until(() => seq.taken() === 5, 10_000, 'the sequencer still committing');
    expect(seq.room.status().role).toBe('sequencer');
  });
});

