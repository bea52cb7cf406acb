// The example reactors in a real room: three peers, each a machine over the distributed-molecule protocol
// (src/dcm) on the in-memory network, the simulated signaling lease and memory stores, on one virtual
// clock. Checks what only a room can show: a direct message is consumed by its addressee and nobody else,
// concurrent todo ops from every peer are all kept, and counter seeds from every peer merge to one value.
import { describe, expect, it } from 'vitest';
import { createMachine } from '../../src/core/machine';
import type { LoadedReactor, Machine } from '../../src/core/machine-api';
import { asPeerId, type PeerId } from '../../src/core/ids';
import { seededRandom } from '../../src/core/clock';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import { createDistributedRoom } from '../../src/dcm/room';
import { createMemoryNetwork } from '../../src/mesh/memory';
import { createMemoryStore } from '../../src/store/memory';
import { VirtualScheduler } from '../sim/scheduler';
import { SimLeaseService } from '../sim/lease-service';
import { chat, counter, todo } from '../../src/reactors/index';
import { countIn, valuesIn } from './soup';

interface Peer {
  id: PeerId;
  machine: Machine;
  todo: LoadedReactor;
  chat: LoadedReactor;
  counter: LoadedReactor;
}

async function room(names: string[]): Promise<{ sched: VirtualScheduler; peers: Peer[] }> {
  const sched = new VirtualScheduler();
  const random = seededRandom(7);
  const network = createMemoryNetwork({ clock: sched.clock(), random, faults: { minDelayMs: 0.2, maxDelayMs: 2 } });
  const lease = new SimLeaseService(sched, random, 600);
  const peers: Peer[] = [];
  for (const name of names) {
    const id = asPeerId(name);
    const clock = sched.clock();
    const transport = network.transport(id);
    const elector = createLeaseElector({ self: id, lease: lease.client(id, () => true), clock });
    const dcm = createDistributedRoom({ self: id, transport, elector, store: createMemoryStore(), clock, random });
    const machine = createMachine({ peerId: id, clock, random, distributed: dcm });
    peers.push({ id, machine, todo: machine.load(todo) as LoadedReactor, chat: machine.load(chat) as LoadedReactor, counter: machine.load(counter) as LoadedReactor });
    await dcm.start();
    await transport.connect();
  }
  await sched.run(500);
  return { sched, peers };
}

describe('example reactors across a room of three peers', () => {
  it('a direct message is consumed by its addressee only; room posts reach every replica', async () => {
    const { sched, peers } = await room(['ann', 'bob', 'cy']);
    const [ann, bob, cy] = peers as [Peer, Peer, Peer];
    for (const p of peers) p.chat.feed('join', { name: p.id, at: 1 });
    await sched.run(1000);
    ann.chat.feed('whisper', { id: 'd1', name: 'ann', to: 'bob', text: 'for bob', at: 2 });
    cy.chat.feed('whisper', { id: 'd2', name: 'cy', to: 'ann', text: 'for ann', at: 3 });
    bob.chat.feed('say', { id: 'p1', name: 'bob', text: 'hello all', at: 4 });
    await sched.run(3000);

    expect(valuesIn(bob.machine, 'chat', 'inbox')).toMatchObject([{ id: 'd1', text: 'for bob' }]);
    expect(valuesIn(ann.machine, 'chat', 'inbox')).toMatchObject([{ id: 'd2', text: 'for ann' }]);
    expect(valuesIn(cy.machine, 'chat', 'inbox')).toEqual([]);
    for (const p of peers) {
      expect(countIn(p.machine, 'chat', 'direct')).toBe(0); // both delivered, no copy left in any replica
      expect(valuesIn(p.machine, 'chat', 'post')).toMatchObject([{ id: 'p1', from: 'bob', text: 'hello all' }]);
      expect((valuesIn(p.machine, 'chat', 'member') as { peer: string }[]).map((m) => m.peer).sort()).toEqual(['ann', 'bob', 'cy']);
    }
  });

  it('concurrent todo ops from every peer are all applied, and every replica lists the same items', async () => {
    const { sched, peers } = await room(['ann', 'bob', 'cy']);
    peers.forEach((p, i) => {
      for (let k = 0; k < 5; k++) p.todo.feed('add', { id: `${p.id}-${k}`, text: `${p.id} ${k}`, at: i * 10 + k });
    });
    await sched.run(3000);
    for (const p of peers) expect(countIn(p.machine, 'todo', 'item')).toBe(15);
    peers[0]?.todo.feed('edit', { id: 'bob-0', text: 'renamed by ann' });
    peers[1]?.todo.feed('mark', { id: 'cy-1', done: true });
    peers[2]?.todo.feed('remove', { id: 'ann-2' });
    peers[1]?.todo.feed('edit', { id: 'ann-2', text: 'edited while removed' });
    await sched.run(6000);
    const lists = peers.map((p) => (valuesIn(p.machine, 'todo', 'item') as { id: string; text: string; done: boolean }[]).sort((a, b) => (a.id < b.id ? -1 : 1)));
    for (const list of lists) {
      expect(list).toEqual(lists[0]);
      expect(list).toHaveLength(14);
      expect(list.find((i) => i.id === 'bob-0')?.text).toBe('renamed by ann');
      expect(list.find((i) => i.id === 'cy-1')?.done).toBe(true);
    }
    for (const p of peers) for (const op of ['edit', 'mark', 'remove']) expect(countIn(p.machine, 'todo', op)).toBe(0);
  });

  it('every peer seeds the counter; increments from all of them add up in one merged copy', async () => {
    const { sched, peers } = await room(['ann', 'bob', 'cy']);
    for (const p of peers) p.counter.feed('count', 0);
    for (let k = 0; k < 4; k++) for (const p of peers) p.counter.feed('incr');
    peers[1]?.counter.feed('decr');
    await sched.run(6000);
    for (const p of peers) {
      expect(countIn(p.machine, 'counter', 'count')).toBe(1);
      expect(valuesIn(p.machine, 'counter', 'count')).toEqual([11]);
    }
  });
});
