// Once the grace periods ended every host may take any copy; a host still offers its own copies (it is
// their preferred host) before the others', so hosts mostly take copies nobody else reaches for and only a
// host that ran out of its own steals (src/dcm/requester.ts, available).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/clock';
import { asPeerId, type PeerId } from '../../src/core/ids';
import { createMachine } from '../../src/core/machine';
import { reactor } from '../../src/core/reactor';
import { Affinity } from '../../src/dcm/affinity';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import { createDistributedRoom, type DistributedRoom } from '../../src/dcm/room';
import { createMemoryNetwork } from '../../src/mesh/memory';
import { createMemoryStore } from '../../src/store/memory';
import { SimLeaseService } from '../sim/lease-service';
import { VirtualScheduler } from '../sim/scheduler';

// Jobs nobody consumes during the test: the reaction also needs a local `go` that is never emitted.
const parked = reactor({ name: 'own-first', version: '1' }, (r) => {
  const job = r.molecule<number>('job', { distributed: true });
  const go = r.molecule('go');
  r.react('work', [job, go], () => undefined);
  return { job };
});

describe('own copies first', () => {
  it('a host offers the copies it is preferred for before the others, after every grace period ended', async () => {
    const sched = new VirtualScheduler();
    const random = seededRandom(5);
    const clock = sched.clock();
    const network = createMemoryNetwork({ clock, random, faults: { minDelayMs: 0.2, maxDelayMs: 1 } });
    const lease = new SimLeaseService(sched, random, 600);
    const ids: PeerId[] = [asPeerId('a'), asPeerId('b'), asPeerId('c')];
    const rooms = new Map<PeerId, DistributedRoom>();
    const transports = ids.map((id) => network.transport(id));
    const machines = ids.map((id, i) => {
      const room = createDistributedRoom({ self: id, transport: transports[i] as (typeof transports)[number], elector: createLeaseElector({ self: id, lease: lease.client(id, () => true), clock }), store: createMemoryStore(), clock, random, newHistory: id === 'a' });
      rooms.set(id, room);
      return createMachine({ peerId: id, clock, random, distributed: room });
    });
    for (const room of rooms.values()) await room.start();
    for (const t of transports) await t.connect();
    await sched.run(2000); // (virtual time: run until 2,000 ms)
    const loaded = machines.map((m) => m.load(parked));
    await sched.run(3000);
    // Each host emits a third (an emitter that hosts the reactor is the preferred host of its own copies).
    for (let x = 0; x < 60; x++) loaded[x % 3]?.emit.job(x);
    await sched.run(5000); // committed everywhere, every hold ended
    const reactorId = loaded[0]?.id as NonNullable<(typeof loaded)[0]>['id'];
    for (const id of ids) {
      const room = rooms.get(id) as DistributedRoom;
      const copies = [...room.available(reactorId, 'job')];
      expect(copies).toHaveLength(60);
      const affinity = new Affinity({ self: id, clock, hosts: () => ids, graceMs: 100, onOpen: () => undefined });
      const mine = copies.map((m) => affinity.mine(m.id, m.reactor, m.name));
      const own = mine.filter(Boolean).length;
      expect(own, `${id} is preferred for some copies`).toBeGreaterThan(5);
      // Every own copy before every other one.
      expect(mine.slice(0, own).every(Boolean), `${id}: ${mine.map((x) => (x ? 1 : 0)).join('')}`).toBe(true);
    }
    for (const m of machines) m.dispose();
  });
});
