// Room liveness on the memory network under one virtual clock: idle frames grow linearly with the room, a
// crashed peer is dropped by everyone within 1.5 s though its links never report it (as with WebRTC, where
// ICE takes 10-30 s), and a peer whose event loop stalls for long stretches is never dropped.
import { describe, expect, it } from 'vitest';
import { seededRandom, type Clock, type TimerHandle } from '../../src/core/clock';
import { asPeerId, type PeerId } from '../../src/core/ids';
import { ringNeighbors } from '../../src/mesh/liveness';
import { createMemoryNetwork, type MemoryNetwork, type MemoryTransport } from '../../src/mesh/memory';
import { createMeshRoom, type MeshRoom } from '../../src/mesh/room/mesh-room';
import type { Transport, TransportEvents } from '../../src/mesh/transport';
import { VirtualScheduler } from '../sim/scheduler';

/** A peer's event loop as the test drives it: while stalled, its timers and inbound messages wait. */
class Loop {
  alive = true;
  #stalledUntil = -Infinity;
  readonly #held: Array<() => void> = [];

  constructor(private readonly sched: VirtualScheduler) {}

  stall(ms: number): void {
    this.#stalledUntil = this.sched.now() + ms;
    this.sched.at(ms, () => this.#release());
  }

  /** Run `fn` now, or when the stall ends (in arrival order), or never once crashed. */
  run(fn: () => void): void {
    if (!this.alive) return;
    if (this.sched.now() < this.#stalledUntil) this.#held.push(fn);
    else fn();
  }

  #release(): void {
    if (this.sched.now() < this.#stalledUntil) return;
    for (const fn of this.#held.splice(0)) this.run(fn);
  }

  clock(): Clock {
    const inner = this.sched.clock(() => this.alive);
    return { now: inner.now, clearTimeout: inner.clearTimeout, setTimeout: (fn, ms): TimerHandle => inner.setTimeout(() => this.run(fn), ms) };
  }
}

/** A memory link whose inbound events go through the peer's loop. */
function throughLoop(t: MemoryTransport, loop: Loop): Transport {
  return {
    ...t,
    kind: t.kind,
    self: t.self,
    connect: () => t.connect(),
    whenReady: () => t.whenReady(),
    peers: () => t.peers(),
    send: (to, m) => t.send(to, m),
    disconnect: () => t.disconnect(),
    on: <K extends keyof TransportEvents>(e: K, l: (p: TransportEvents[K]) => void) => t.on(e, (p) => loop.run(() => l(p))),
  };
}

interface Peer {
  readonly id: PeerId;
  readonly room: MeshRoom;
  readonly loop: Loop;
  readonly link: MemoryTransport;
  readonly dropped: Array<{ peer: PeerId; at: number; reason: string }>;
}

/** `n` rooms on one memory network whose links never report a crash (the room's liveness must). */
async function mesh(n: number, seed = 1): Promise<{ sched: VirtualScheduler; net: MemoryNetwork; peers: Peer[] }> {
  const sched = new VirtualScheduler();
  const net = createMemoryNetwork({ clock: sched.clock(), random: seededRandom(seed), faults: { minDelayMs: 1, maxDelayMs: 5, detectMs: 60_000 } });
  const peers: Peer[] = [];
  for (let i = 0; i < n; i++) {
    const id = asPeerId(`p${String(i).padStart(3, '0')}`);
    const loop = new Loop(sched);
    const link = net.transport(id);
    const room = createMeshRoom({ roomName: 'liveness', peerId: id, links: [() => throughLoop(link, loop)], clock: loop.clock(), random: seededRandom(seed * 1000 + i) });
    const dropped: Peer['dropped'] = [];
    room.on('peer-disconnected', ({ peerId, reason }) => dropped.push({ peer: peerId, at: sched.now(), reason }));
    peers.push({ id, room, loop, link, dropped });
  }
  await Promise.all(peers.map((p) => p.room.connect()));
  await sched.run(2000);
  for (const p of peers) expect(p.room.peers().length).toBe(n - 1);
  return { sched, net, peers };
}

/** Frames per second the whole room sends while idle, measured over `seconds` of virtual time. */
async function idleFramesPerSecond(n: number, seconds = 10): Promise<number> {
  const { sched, net, peers } = await mesh(n);
  const before = net.stats.sent;
  await sched.run(sched.now() + seconds * 1000);
  for (const p of peers) expect(p.dropped).toEqual([]);
  return (net.stats.sent - before) / seconds;
}

describe('room liveness (memory network, virtual clock)', () => {
  it('ring neighbours: k on each side, everyone when the room is small', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'].map(asPeerId);
    expect([...ringNeighbors(asPeerId('a'), ids.slice(1), 1)].sort()).toEqual(['b', 'f']);
    expect([...ringNeighbors(asPeerId('c'), ids.filter((x) => x !== 'c'), 2)].sort()).toEqual(['a', 'b', 'd', 'e']);
    expect([...ringNeighbors(asPeerId('a'), ids.slice(1, 3), 1)].sort()).toEqual(['b', 'c']);
  });

  it('idle frames grow linearly with the room (not with its pairs)', async () => {
    const f8 = await idleFramesPerSecond(8);
    const f32 = await idleFramesPerSecond(32);
    // Each peer keeps two neighbours warm at 4 Hz, an echo now and then, one RTT sample every 2 s: ≈ 9/s.
    expect(f8 / 8).toBeLessThan(12);
    expect(f32 / 32).toBeLessThan(12);
    // 4× the peers, ≈ 4× the frames (all pairs would be 16×).
    expect(f32 / f8).toBeGreaterThan(3);
    expect(f32 / f8).toBeLessThan(5);
  });

  it('a crashed peer is dropped by every other peer within 1.5 s, though its links never say so', async () => {
    const { sched, peers } = await mesh(12);
    const victim = peers[5] as Peer;
    const t0 = sched.now();
    victim.loop.alive = false;
    victim.link.crash();
    await sched.run(t0 + 3000);
    for (const p of peers) {
      if (p === victim) continue;
      const seen = p.dropped.find((d) => d.peer === victim.id);
      expect(seen, `${p.id} dropped ${victim.id}`).toBeDefined();
      expect(seen!.at - t0).toBeLessThanOrEqual(1500);
      expect(p.dropped.filter((d) => d.peer !== victim.id)).toEqual([]);
      expect(p.room.peers()).not.toContain(victim.id);
    }
  });

  it('two neighbours crashing together are both dropped within 2 s (each has one watcher left: report + suspicion)', async () => {
    const { sched, peers } = await mesh(12);
    const victims = [peers[3] as Peer, peers[4] as Peer];
    const t0 = sched.now();
    for (const v of victims) {
      v.loop.alive = false;
      v.link.crash();
    }
    await sched.run(t0 + 3000);
    for (const p of peers) {
      if (victims.includes(p)) continue;
      for (const v of victims) {
        const seen = p.dropped.find((d) => d.peer === v.id);
        expect(seen, `${p.id} dropped ${v.id}`).toBeDefined();
        expect(seen!.at - t0).toBeLessThanOrEqual(2000);
      }
    }
  });

  it('no peer is dropped while one peer stalls for 800 ms at a time (timers and messages held)', async () => {
    const { sched, peers } = await mesh(10);
    const slow = peers[4] as Peer;
    const t0 = sched.now();
    for (let t = 0; t < 20_000; t += 1500) sched.at(t, () => slow.loop.stall(800));
    await sched.run(t0 + 21_000);
    for (const p of peers) expect(p.dropped, `${p.id}`).toEqual([]);
  });

  it('one wrong report makes a live peer a suspect that clears itself; two drop it, and it comes back', async () => {
    const { sched, peers } = await mesh(6);
    // b is not a ring neighbour of a (a has not heard from it lately); c and d claim it is down.
    const [a, c, d, b] = peers as [Peer, Peer, Peer, Peer];
    // (a ignores a report if it heard from b within a heartbeat, e.g. an RTT sample: repeat it a few times.)
    for (const t of [400, 700, 1000, 1300]) sched.at(t, () => void c.link.send(a.id, { k: 'dn', p: b.id }));
    await sched.run(sched.now() + 2500);
    expect(a.dropped).toEqual([]);
    for (const t of [400, 700, 1000, 1300]) {
      sched.at(t, () => void (a.dropped.length || c.link.send(a.id, { k: 'dn', p: b.id })));
      sched.at(t + 1, () => void (a.dropped.length || d.link.send(a.id, { k: 'dn', p: b.id })));
    }
    await sched.run(sched.now() + 2500);
    expect([`reported down by ${c.id} and ${d.id}`, `reported down by ${d.id} and ${c.id}`]).toContain(a.dropped[0]?.reason);
    expect(a.room.peers()).toContain(b.id);
  });
});
