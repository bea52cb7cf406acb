// The contended counter of bench/scale, simulated: N peers (machine + distributed room) on the memory network
// under one virtual clock, every peer hosting the counter, 1,000 increments spread over all of them, emitted
// at once. Processing takes no virtual time here, so the virtual time it takes is what the protocol itself
// costs (round trips, pacing, pipelining); the real CPU time of the run is what all peers' work costs (one
// process does everything). Prints, per N: virtual ms until every peer applied every increment, fenced
// commits and refused claims per 1,000, appends sent, CPU ms per increment (all peers).
//   npx tsx lab/counter-sim.ts [N ...]        (default 10 20 40)
// LAB_PROF=<file>: a CPU profile of the counter phase of the last N.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { seededRandom } from '../src/core/clock';
import { asPeerId } from '../src/core/ids';
import { createMachine } from '../src/core/machine';
import { reactor } from '../src/core/reactor';
import { createLeaseElector } from '../src/dcm/electors/lease';
import { createDistributedRoom } from '../src/dcm/room';
import { createMemoryNetwork } from '../src/mesh/memory';
import { createMemoryStore } from '../src/store/memory';
import { SimLeaseService } from '../test/sim/lease-service';
import { VirtualScheduler } from '../test/sim/scheduler';

const counter = reactor({ name: 'lab-counter', version: '1.0.0' }, (r) => {
  const count = r.molecule<number>('count', { distributed: true });
  const incr = r.molecule('incr', { distributed: true });
  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  return { count, incr };
});

async function simulate(n: number, profile: string | undefined): Promise<Record<string, number>> {
  const sched = new VirtualScheduler();
  const random = seededRandom(n);
  // A relayed frame: two loopback hops through the server.
  const net = createMemoryNetwork({ clock: sched.clock(), random, faults: { minDelayMs: 1, maxDelayMs: 3 } });
  const lease = new SimLeaseService(sched, random, 3000);
  const peers = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const id = asPeerId(`p${String(i).padStart(2, '0')}`);
      const clock = sched.clock();
      const transport = net.transport(id);
      const room = createDistributedRoom({
        self: id,
        transport,
        elector: createLeaseElector({ self: id, lease: lease.client(id, () => true), clock }),
        store: createMemoryStore(),
        clock,
        random: seededRandom(100 + i),
      });
      const machine = createMachine({ peerId: id, clock, random: seededRandom(200 + i), distributed: room });
      const loaded = machine.load(counter);
      let applied = 0;
      room.on('applied', (a) => {
        if (a.entry.type === 'commit' && a.entry.reaction === 'incr') applied++;
      });
      await room.start();
      await transport.connect();
      return { id, room, machine, emit: loaded.emit, applied: () => applied };
    }),
  );
  await sched.run(sched.now() + 5000, () => peers.every((p) => p.room.status().members.length === n));
  await sched.run(sched.now() + 2000);
  const members = peers.every((p) => p.room.status().members.length === n);
  peers[0]!.emit.count(0);
  await sched.run(sched.now() + 500);
  const k = Math.ceil(1000 / n);
  const total = k * n;
  const session = profile ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const sent0 = net.stats.sent;
  const cpu0 = process.cpuUsage();
  const t0 = sched.now();
  for (let i = 0; i < k; i++) for (const p of peers) p.emit.incr();
  await sched.run(t0 + 60_000, () => peers.every((p) => p.applied() >= total));
  const cpu = process.cpuUsage(cpu0);
  if (session) {
    const { profile: prof } = await session.post('Profiler.stop');
    fs.writeFileSync(profile as string, JSON.stringify(prof));
    session.disconnect();
  }
  const done = peers.every((p) => p.applied() >= total);
  const stats = peers.map((p) => p.machine.stats());
  const sequencer = peers.find((p) => p.room.status().role === 'sequencer');
  return {
    n,
    members: members ? 1 : 0,
    virtualMs: done ? Math.round(sched.now() - t0) : -1,
    fencedPer1000: Math.round((stats.reduce((a, s) => a + s.commitsFenced, 0) * 1000) / total),
    refusedPer1000: Math.round((stats.reduce((a, s) => a + s.claimsRefused, 0) * 1000) / total),
    sequencerRuns: sequencer?.machine.stats().reactions ?? -1,
    messagesPerIncrement: Math.round(((net.stats.sent - sent0) / total) * 10) / 10,
    cpuMsPerIncrement: Math.round(((cpu.user + cpu.system) / 1000 / total) * 1000) / 1000,
  };
}

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 1);
const list = sizes.length ? sizes : [10, 20, 40];
for (const [i, n] of list.entries()) {
  const prof = i === list.length - 1 ? process.env['LAB_PROF'] : undefined;
  process.stdout.write(`${JSON.stringify(await simulate(n, prof))}\n`);
}
process.exit(0);
