// Inbound: a room's input handled in order, at most a slice of time per turn; the rest waits for a later turn
// so that timers (the lease's renewal) run in between.
import { describe, expect, it } from 'vitest';
import { Inbound } from '../../src/dcm/inbound';

/** A turn-based harness: `defer` queues for the next turn; `cost` advances the time a job takes. */
function harness(sliceMs: number) {
  let now = 0;
  let deferred: (() => void)[] = [];
  const inbound = new Inbound({ now: () => now, defer: (fn) => void deferred.push(fn), sliceMs });
  return {
    inbound,
    cost: (ms: number) => void (now += ms),
    /** End the current turn: run what was deferred (which may defer again, for the turn after). */
    turn() {
      const due = deferred;
      deferred = [];
      for (const fn of due) fn();
    },
    get pending() {
      return deferred.length;
    },
  };
}

describe('Inbound', () => {
  it('runs each job at once while the turn is within its slice (a virtual clock never queues)', () => {
    const h = harness(5);
    const seen: number[] = [];
    for (let i = 0; i < 100; i++) h.inbound.run(() => seen.push(i));
    expect(seen).toHaveLength(100);
    expect(h.inbound.backlog).toBe(0);
  });

  it('queues the rest of a turn once its slice is spent, drains it a slice per later turn, in order', () => {
    const h = harness(5);
    const seen: number[] = [];
    for (let i = 0; i < 10; i++)
      h.inbound.run(() => {
        seen.push(i);
        h.cost(2);
      });
    // 2 ms each: three fit the first turn's 5 ms (the third starts at 4 ms), the rest wait.
    expect(seen).toEqual([0, 1, 2]);
    expect(h.inbound.backlog).toBe(7);
    h.turn();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    // Input that arrives while a backlog waits goes behind it.
    h.inbound.run(() => seen.push(99));
    for (let i = 0; i < 5 && h.inbound.backlog > 0; i++) h.turn();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99]);
    expect(h.inbound.backlog).toBe(0);
  });

  it('a new turn has a whole slice again', () => {
    const h = harness(5);
    const seen: string[] = [];
    h.inbound.run(() => (seen.push('a'), h.cost(6)));
    h.inbound.run(() => seen.push('b')); // over the slice: waits
    expect(seen).toEqual(['a']);
    h.turn();
    expect(seen).toEqual(['a', 'b']);
    h.turn(); // the turn's end is past: the next job starts a fresh slice
    h.inbound.run(() => seen.push('c'));
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('runOnce keeps one waiting copy of a keyed job (the tick), run after the input before it', () => {
    const h = harness(1);
    const seen: string[] = [];
    h.inbound.run(() => (seen.push('m1'), h.cost(2)));
    h.inbound.run(() => seen.push('m2'));
    h.inbound.runOnce('tick', () => seen.push('tick'));
    h.inbound.runOnce('tick', () => seen.push('tick again'));
    for (let i = 0; i < 5 && h.inbound.backlog > 0; i++) h.turn();
    expect(seen).toEqual(['m1', 'm2', 'tick']);
    h.inbound.runOnce('tick', () => seen.push('tick 2'));
    expect(seen).toEqual(['m1', 'm2', 'tick', 'tick 2']);
  });

  it('afterInput runs after this turn and after the backlog then waiting', () => {
    const h = harness(1);
    const seen: string[] = [];
    h.inbound.run(() => (seen.push('m1'), h.cost(2)));
    h.inbound.run(() => (seen.push('m2'), h.cost(2)));
    h.inbound.run(() => seen.push('m3'));
    h.inbound.afterInput(() => seen.push('after'));
    for (let i = 0; i < 6 && (h.inbound.backlog > 0 || h.pending > 0); i++) h.turn();
    expect(seen).toEqual(['m1', 'm2', 'm3', 'after']);
  });

  it('a job that throws does not strand the jobs behind it', () => {
    const h = harness(1);
    const seen: string[] = [];
    h.inbound.run(() => h.cost(2));
    h.inbound.run(() => {
      throw new Error('boom');
    });
    h.inbound.run(() => seen.push('after'));
    expect(() => h.turn()).toThrow('boom');
    for (let i = 0; i < 3 && h.inbound.backlog > 0; i++) h.turn();
    expect(seen).toEqual(['after']);
  });

  it('clear drops what waits (the room stopped)', () => {
    const h = harness(1);
    const seen: string[] = [];
    h.inbound.run(() => h.cost(2));
    h.inbound.run(() => seen.push('late'));
    h.inbound.clear();
    h.turn();
    expect(seen).toEqual([]);
    expect(h.inbound.backlog).toBe(0);
  });
});
