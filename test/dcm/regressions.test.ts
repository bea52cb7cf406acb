// The schedules of issue 11 (exactly-once under real faults) and issue 16's insider items, each as a named,
// deterministic regression: one real room on the memory network, raw "probe" peers that send exactly the
// messages of the schedule and record the answers, and a store whose writes can be held back or failed.
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import { createMachine } from '../../src/core/machine';
import { runSimulation } from '../sim/run';
import { simCounter } from '../sim/workloads';
import { acks, promises, World, type Probe } from './room-harness';

/** A replica with no lease to consult that promised epoch 2 to the probe `b` (ballot owner `b~1`). */
async function promisedToB(): Promise<{ w: World; b: Probe }> {
  const w = new World();
  w.lease.up = false;
  await w.start();
  const b = w.probe('b');
  await w.run(20);
  b.send(w.a, { type: 'recover', epoch: 2, owner: 'b~1' });
  await w.run(20);
  return { w, b };
}


describe('issue 11 schedules', () => {
  it('1: a promise is answered only once its write landed; a resent recover during a stalled write is not answered; a crash then leaves nothing promised', async () => {
    const w = new World();
    w.lease.up = false; // nobody elected: the room cannot say who may lead, so it admits any bounded ballot
    await w.start();
    const b = w.probe('b');
    await w.run(20);
    w.held.holding = true;
    b.send(w.a, { type: 'recover', epoch: 2, owner: 'b~1' });
    await w.run(20);
    b.send(w.a, { type: 'recover', epoch: 2, owner: 'b~1' }); // the resend of schedule 1(b)
    await w.run(20);
    expect(promises(b)).toEqual([]);
    expect(w.room.status().epoch).toBe(0);
    w.crash();
    const again = await w.start(); // the write never landed: nothing was promised, and nothing was told
    expect(again.status().epoch).toBe(0);
    w.held.release();
  });

  it('1: once the write lands the promise is sent, and the same epoch is refused to every other owner (a restarted incarnation too)', async () => {
    const { w, b } = await promisedToB();
    expect(promises(b).map((m) => m.ok)).toEqual([true]);
    b.send(w.a, { type: 'recover', epoch: 2, owner: 'b~2' }); // b restarted within the lease TTL, same epoch
    const c = w.probe('c');
    await w.run(20);
    c.send(w.a, { type: 'recover', epoch: 2, owner: 'c~1' }); // the server handed epoch 2 out twice
    await w.run(20);
    expect(promises(b).map((m) => m.ok)).toEqual([true, false]);
    expect(promises(c).map((m) => [m.ok, m.epoch])).toEqual([[false, 2]]);
  });

  it('2: epochs come back after a server restart, the peers refuse them; a refused fresh candidate never starts a new history', async () => {
    // A deterministic simulation seed of exactly this: the server forgets the room, a late joiner with a fresh
    // store is granted epoch 1 while the others hold epoch 2 (replayed with every fault kind but stale stores).
    const r = await runSimulation({ seed: 86, faultKinds: [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14] });
    expect(r.faults.join(';')).toMatch(/forgets the room.*late joiner/);
    expect(r.violations).toEqual([]);
  }, 60_000);

  it('3: a failed write is never acknowledged, nothing after it is written, and the replica stops and says so', async () => {
    const { w, b } = await promisedToB();
    const term = { type: 'term', epoch: 2, leader: 'b' };
    w.held.failing = 1;
    b.send(w.a, { type: 'append', epoch: 2, owner: 'b~1', leader: 'b', prevIndex: 0, prevEpoch: 0, entries: [term], commitIndex: 0 });
    await w.run(20);
    b.send(w.a, { type: 'append', epoch: 2, owner: 'b~1', leader: 'b', prevIndex: 0, prevEpoch: 0, entries: [term], commitIndex: 0 });
    await w.run(20);
    expect(acks(b).filter((m) => m.ok)).toEqual([]);
    expect(w.room.status().stopped).toMatch(/store write failed: disk full/);
    expect(w.backing.entries.has('dcm/log/000000000001')).toBe(false);
  });

  it('5: equal (index, epoch) with different content is detected: the replica stops loudly instead of diverging quietly', async () => {
    const { w, b } = await promisedToB();
    const emit = (source: string) => ({ type: 'emit', epoch: 2, source, seq: 1, molecule: { id: `${source}:1`, reactor: 'r', name: 'x', value: 1 } });
    const term = { type: 'term', epoch: 2, leader: 'b' };
    b.send(w.a, { type: 'append', epoch: 2, owner: 'b~1', leader: 'b', prevIndex: 0, prevEpoch: 0, entries: [term, emit('b~1')], commitIndex: 0 });
    await w.run(20);
    expect(acks(b).at(-1)).toMatchObject({ ok: true, matchIndex: 2 });
    b.send(w.a, { type: 'append', epoch: 2, owner: 'b~1', leader: 'b', prevIndex: 0, prevEpoch: 0, entries: [term, emit('b~2')], commitIndex: 2 });
    await w.run(20);
    expect(w.room.status().stopped).toMatch(/another history of this room: the log differs at index 2/);
    expect(w.room.status().commitIndex).toBe(0);
  });

  it('4: an emission is durable once flush() resolves; a crash before that may lose it, never after', async () => {
    const w = new World();
    w.lease.up = false;
    await w.start();
    const reactor = asReactorId('r');
    w.held.holding = true;
    w.room.emit(reactor, 'x', 1);
    let flushed = false;
    void w.room.flush().then(() => (flushed = true));
    await w.run(20);
    expect(flushed).toBe(false);
    w.crash();
    expect((await w.start()).status().outbox).toBe(0); // lost: it never was durable, and flush never said so
    w.held.release();
    w.room.emit(reactor, 'x', 2);
    await w.room.flush();
    w.crash();
    // Durable: it will be delivered. (The first one's write, released after its process died, may have
    // landed too — under that process's own outbox source, so it is delivered as well, never overwritten.)
    expect([...((await w.start()).pending?.(reactor, 'x') ?? [])].map((m) => m.value)).toContain(2);
  });
});

describe('4: machine.flush() — durable emission at the machine level', () => {
  it('a distributed emission is durable once machine.flush() resolves: a crash inside the write window may lose it, never after', async () => {
    const w = new World();
    w.lease.up = false; // no room to deliver to: the emissions stay in the outbox
    await w.start();
    const first = createMachine({ peerId: w.a, clock: w.sched.clock(), random: w.random, distributed: w.room });
    const counter = first.load(simCounter);
    w.held.holding = true; // the store's writes are in flight until released
    counter.feed('incr', 1);
    let flushed = false;
    void first.flush().then(() => (flushed = true));
    await w.run(20);
    expect(flushed).toBe(false); // inside the write window: not durable, and flush does not say it is
    w.crash();
    const second = await w.start();
    expect([...(second.pending?.(simCounter.id, 'incr') ?? [])]).toEqual([]); // lost in the crash, as allowed
    w.held.release();
    const machine = createMachine({ peerId: w.a, clock: w.sched.clock(), random: w.random, distributed: second });
    machine.load(simCounter).feed('incr', 2);
    const done = machine.flush();
    await w.run(5);
    await done;
    w.crash(); // right after flush resolved
    const third = await w.start();
    expect([...(third.pending?.(simCounter.id, 'incr') ?? [])].map((m) => m.value)).toContain(2);
  });

  it('rejects when the store failed the write (the room stops itself); resolves at once with no room', async () => {
    const w = new World();
    w.lease.up = false;
    await w.start();
    const machine = createMachine({ peerId: w.a, clock: w.sched.clock(), random: w.random, distributed: w.room });
    w.held.failing = 1;
    machine.load(simCounter).feed('incr', 1);
    await expect(machine.flush()).rejects.toThrow(/disk full/);
    expect(w.room.status().stopped).toMatch(/store write failed/);
    await expect(createMachine().flush()).resolves.toBeUndefined();
  });
});

describe('issue 16 insider schedules', () => {
  async function serving(): Promise<{ w: World; c: Probe }> {
    const w = new World();
    await w.start();
    const c = w.probe('c');
    await w.run(300);
    expect(w.room.status().role).toBe('sequencer');
    return { w, c };
  }

  it('5: an append from a peer the election did not pick, or under a ballot another peer owns, is refused', async () => {
    const { w, c } = await serving();
    const before = w.room.status();
    const forged = { type: 'term', epoch: before.epoch + 1000, leader: 'c' };
    c.send(w.a, { type: 'append', epoch: before.epoch + 5, owner: 'c~1', leader: 'c', prevIndex: before.lastIndex, prevEpoch: before.epoch, entries: [{ ...forged, epoch: before.epoch + 5 }], commitIndex: before.lastIndex + 1 });
    c.send(w.a, { type: 'append', epoch: before.epoch + 1000, owner: 'c~1', leader: 'c', prevIndex: before.lastIndex, prevEpoch: before.epoch, entries: [forged], commitIndex: before.lastIndex + 1 });
    c.send(w.a, { type: 'recover', epoch: before.epoch + 1, owner: 'a~stolen' });
    await w.run(100);
    const after = w.room.status();
    expect(after.role).toBe('sequencer');
    expect(after.epoch).toBe(before.epoch);
    expect(acks(c).length).toBeGreaterThan(0);
    expect(acks(c).every((m) => !m.ok && m.refused)).toBe(true);
    expect(after.invalidMessages).toBeGreaterThan(0);
  });

  it('6: a recover with an epoch near 2^53 is refused: nothing is promised, the room keeps its sequencer', async () => {
    const { w, c } = await serving();
    c.send(w.a, { type: 'recover', epoch: Number.MAX_SAFE_INTEGER - 1, owner: 'c~1' });
    await w.run(100);
    expect(promises(c).map((m) => m.ok)).toEqual([false]);
    expect(w.room.status().epoch).toBeLessThan(100);
    expect(w.room.status().role).toBe('sequencer');
  });

  it("7: an emit under another peer's source is not appended; under the sender's own source it is", async () => {
    const { w, c } = await serving();
    const reactor = asReactorId('r');
    const item = (source: string, seq: number) => ({ source, seq, molecule: { id: `${source}:${seq}`, reactor, name: 'x', value: seq } });
    c.send(w.a, { type: 'emit', items: [item('b~1', 1), item('a~1', 2)] });
    c.send(w.a, { type: 'emit', items: [item('c~1', 3)] });
    await w.run(100);
    expect(w.room.peek(reactor, 'x').map((m) => m.value)).toEqual([3]);
  });
});
