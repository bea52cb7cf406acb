// Mesh liveness past the server's 64-peer cap, simulated: N mesh rooms on the memory network under one
// virtual clock (links never report a crash, as with WebRTC), full mesh. Prints, per N: idle room frames per
// second (all peers), per peer, and the slowest drop of one crashed peer across the others.
//   npx tsx lab/mesh-scale-sim.ts [N ...]        (default 100 250 500)
// The memory network re-evaluates every pair on each join (O(N²) per join), which bounds N here, not the room.
import { seededRandom } from '../src/core/clock';
import { asPeerId, type PeerId } from '../src/core/ids';
import { createMemoryNetwork, type MemoryTransport } from '../src/mesh/memory';
import { createMeshRoom } from '../src/mesh/room/mesh-room';
import { VirtualScheduler } from '../test/sim/scheduler';

async function simulate(n: number): Promise<Record<string, number>> {
  const started = performance.now();
  const sched = new VirtualScheduler();
  const net = createMemoryNetwork({ clock: sched.clock(), random: seededRandom(n), faults: { minDelayMs: 1, maxDelayMs: 5, detectMs: 600_000 } });
  const alive = new Map<PeerId, boolean>();
  const links = new Map<PeerId, MemoryTransport>();
  const drops: Array<{ by: PeerId; peer: PeerId; at: number }> = [];
  const rooms = Array.from({ length: n }, (_, i) => {
    const id = asPeerId(`p${String(i).padStart(4, '0')}`);
    alive.set(id, true);
    const link = net.transport(id);
    links.set(id, link);
    const room = createMeshRoom({ roomName: 'sim', peerId: id, links: [() => link], clock: sched.clock(() => alive.get(id) === true), random: seededRandom(i + 1) });
    room.on('peer-disconnected', ({ peerId }) => drops.push({ by: id, peer: peerId, at: sched.now() }));
    return room;
  });
  await Promise.all(rooms.map((r) => r.connect()));
  await sched.run(3000);
  const linked = rooms.every((r) => r.peers().length === n - 1);
  const idleS = 5;
  const before = net.stats.sent;
  await sched.run(sched.now() + idleS * 1000);
  const idle = (net.stats.sent - before) / idleS;
  const falseDrops = drops.length;
  const victim = rooms[Math.floor(n / 2)]!.self;
  const t0 = sched.now();
  alive.set(victim, false);
  links.get(victim)!.crash();
  await sched.run(t0 + 3000);
  const seen = drops.filter((d) => d.peer === victim);
  await Promise.all(rooms.map((r) => r.disconnect()));
  return {
    n,
    linked: linked ? 1 : 0,
    idleFramesPerSecond: Math.round(idle),
    idleFramesPerPeerPerSecond: Math.round((idle / n) * 10) / 10,
    droppedBy: seen.length,
    slowestDropMs: seen.length ? Math.max(...seen.map((d) => d.at - t0)) : -1,
    falseDrops,
    wallSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 1);
for (const n of sizes.length ? sizes : [100, 250, 500]) process.stdout.write(`${JSON.stringify(await simulate(n))}\n`);
