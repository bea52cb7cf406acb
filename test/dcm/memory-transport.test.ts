// The memory transport: the mesh's shared acceptance suite (real timers), plus the faults the simulation
// relies on, driven by the virtual scheduler.
import { describe, expect, it } from 'vitest';
import { seededRandom, systemClock } from '../../src/core/clock';
import { asPeerId, type PeerId } from '../../src/core/ids';
import { createMemoryNetwork, type MemoryTransport } from '../../src/mesh/memory';
import { runTransportTests } from '../../src/mesh/testing/transport-suite';
import { VirtualScheduler } from '../sim/scheduler';

let roomNo = 0;
runTransportTests('memory', async () => {
  const network = createMemoryNetwork({ clock: systemClock, random: seededRandom(++roomNo), faults: { minDelayMs: 0, maxDelayMs: 1 } });
  return {
    create: async (n) => Array.from({ length: n }, (_, i) => network.transport(asPeerId(`m${roomNo}-${i}`))),
    cleanup: async () => undefined,
  };
});

function world(faults = {}) {
  const sched = new VirtualScheduler();
  const network = createMemoryNetwork({ clock: sched.clock(), random: seededRandom(7), faults: { minDelayMs: 1, maxDelayMs: 3, detectMs: 100, ...faults } });
  const log: string[] = [];
  const make = (id: string): MemoryTransport => {
    const t = network.transport(asPeerId(id));
    t.on('peer-connected', ({ peerId }) => log.push(`${id}+${peerId}`));
    t.on('peer-disconnected', ({ peerId, reason }) => log.push(`${id}-${peerId}:${reason}`));
    t.on('message', ({ from, message }) => log.push(`${id}<${from}:${JSON.stringify(message)}`));
    return t;
  };
  return { sched, network, log, make };
}

describe('memory network faults', () => {
  it('send is false without a link; partitions cut links after the detection delay and heal', async () => {
    const { sched, network, log, make } = world();
    const a = make('a');
    const b = make('b');
    expect(a.send(asPeerId('b'), 1)).toBe(false);
    await a.connect();
    await b.connect();
    await sched.run(50);
    expect(a.peers()).toEqual(['b']);
    expect(a.send(asPeerId('b'), { x: 1 })).toBe(true);
    await sched.run(sched.now() + 10);
    network.partition([[asPeerId('a')], [asPeerId('b')]]);
    a.send(asPeerId('b'), 'lost in the partition');
    await sched.run(sched.now() + 200);
    expect(log).toContain('a-b:partition');
    expect(log.some((l) => l.includes('lost in the partition'))).toBe(false);
    network.heal();
    await sched.run(sched.now() + 50);
    expect(a.peers()).toEqual(['b'] as PeerId[]);
    expect(log.filter((l) => l === 'b<a:{"x":1}')).toHaveLength(1);
  });

  it('a crash is noticed after detectMs, a goodbye at once; a restarted peer links again', async () => {
    const { sched, network, log, make } = world();
    const a = make('a');
    await a.connect();
    let b = make('b');
    await b.connect();
    await sched.run(20);
    b.crash();
    await sched.run(sched.now() + 50);
    expect(a.peers()).toEqual(['b']); // not noticed yet
    await sched.run(sched.now() + 100);
    expect(log).toContain('a-b:timeout');
    b = network.transport(asPeerId('b'));
    await b.connect();
    await sched.run(sched.now() + 20);
    expect(a.peers()).toEqual(['b']);
    await b.disconnect();
    await sched.run(sched.now() + 5);
    expect(log).toContain('a-b:goodbye');
  });

  it('keeps per-pair order unless reordering is on, and duplicates when asked', async () => {
    const { sched, log, make } = world({ duplicateRate: 1 });
    const a = make('a');
    const b = make('b');
    await Promise.all([a.connect(), b.connect()]);
    await sched.run(20);
    for (let i = 0; i < 20; i++) a.send(asPeerId('b'), i);
    await sched.run(sched.now() + 50);
    const got = log.filter((l) => l.startsWith('b<a:')).map((l) => Number(l.slice(4)));
    expect(got).toHaveLength(40);
    expect(got).toEqual([...got].sort((x, y) => x - y));
  });
});
