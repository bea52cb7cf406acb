// A peer's own emissions that the room does not have yet — offline, no sequencer — are in its views as
// pending (DistributedPort.pending → MoleculeSnapshot.pending), and stop being pending once the room
// applies them: a todo added offline shows at once, marked, and is shared exactly once on reconnect.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/clock';
import { asPeerId } from '../../src/core/ids';
import { createMachine } from '../../src/core/machine';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import { createDistributedRoom } from '../../src/dcm/room';
import { createMemoryNetwork } from '../../src/mesh/memory';
import { todo } from '../../src/reactors/index';
import { createMemoryStore } from '../../src/store/memory';
import { SimLeaseService } from '../sim/lease-service';
import { VirtualScheduler } from '../sim/scheduler';

describe('pending emissions in the view', () => {
  it('shows an offline emission as pending, then as an ordinary copy once the room applied it', async () => {
    const sched = new VirtualScheduler();
    const random = seededRandom(3);
    const network = createMemoryNetwork({ clock: sched.clock(), random, faults: { minDelayMs: 0.2, maxDelayMs: 1 } });
    const lease = new SimLeaseService(sched, random, 600);
    lease.up = false; // the signaling server is unreachable: nobody can become sequencer
    const id = asPeerId('solo');
    const clock = sched.clock();
    const room = createDistributedRoom({
      self: id,
      transport: network.transport(id),
      elector: createLeaseElector({ self: id, lease: lease.client(id, () => true), clock }),
      store: createMemoryStore(),
      clock,
      random,
    });
    const machine = createMachine({ peerId: id, clock, random, distributed: room });
    const list = machine.load(todo);
    await room.start();
    await sched.run(200);

    list.feed('add', { id: 't1', text: 'buy milk', at: 1 });
    await sched.run(500);
    const item = (): { count: number; pending: number; values: readonly unknown[] } | undefined => machine.molecules().find((g) => g.reactorName === 'todo' && g.name === 'item');
    expect(item()).toMatchObject({ count: 1, pending: 1, values: [{ id: 't1', text: 'buy milk', done: false, by: 'solo' }] });
    expect(room.status().outbox).toBe(1);

    lease.up = true;
    await sched.run(3000);
    expect(room.status().role).toBe('sequencer');
    expect(item()).toMatchObject({ count: 1, pending: 0, values: [{ id: 't1' }] });
    expect(room.status().outbox).toBe(0);
    expect(room.peek(list.id, 'item')).toHaveLength(1);
  });
});
