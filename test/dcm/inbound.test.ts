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

describe('Inbound: bounded per sender', () => {
  /** A turn whose slice is spent: everything after this waits (a process behind on its input). */
  function behind(maxQueuedPerSender: number) {
    let now = 0;
    let deferred: (() => void)[] = [];
    const inbound = new Inbound({ now: () => now, defer: (fn) => void deferred.push(fn), sliceMs: 5, maxQueuedPerSender });
    inbound.run(() => void (now += 10)); // spends the turn's slice
    const turn = (): void => {
      const due = deferred;
      deferred = [];
      now += 100; // a new turn
      for (const fn of due) fn();
    };
    return {
      inbound,
      turn,
      cost: (ms: number) => void (now += ms),
      drainAll() {
        for (let i = 0; i < 1000 && (inbound.backlog > 0 || deferred.length > 0); i++) turn();
      },
    };
  }

  it('a flooding sender has at most its bound waiting; the rest is dropped and counted; other senders are untouched', () => {
    const h = behind(100);
    const seen: string[] = [];
    let flooded = 0;
    for (let i = 0; i < 10_000; i++) h.inbound.message('flooder', () => void flooded++, null);
    h.inbound.message('honest', () => seen.push('honest 1'), null);
    h.inbound.run(() => seen.push('link event')); // never dropped
    for (let i = 0; i < 500; i++) h.inbound.message('flooder', () => void flooded++, null);
    h.inbound.message('honest', () => seen.push('honest 2'), null);
    expect(h.inbound.queuedFrom('flooder')).toBe(100);
    expect(h.inbound.backlog).toBe(100 + 2 + 1);
    expect(h.inbound.dropped).toBe(10_400);
    expect(h.inbound.droppedFrom('flooder')).toBe(10_400);
    expect(h.inbound.droppedFrom('honest')).toBe(0);
    h.drainAll();
    expect(flooded).toBe(100);
    expect(seen).toEqual(['honest 1', 'link event', 'honest 2']);
    // Its queue drained: a clean slate (counts, memory), and its messages are read again.
    expect(h.inbound.droppedFrom('flooder')).toBe(0);
    expect(h.inbound.queuedFrom('flooder')).toBe(0);
    h.inbound.message('flooder', () => void flooded++, null);
    expect(flooded).toBe(101);
  });

  it('a state message past the bound is kept (the latest per kind) and handled once its sender has drained, in arrival order', () => {
    const h = behind(3);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) h.inbound.message('p', () => seen.push(`m${i}`), null);
    expect(h.inbound.message('p', () => seen.push('dropped request'), null)).toBe(false);
    h.inbound.message('p', () => seen.push('catalog 1'), null, 'catalog');
    h.inbound.message('p', () => seen.push('leave'), null, 'leave');
    h.inbound.message('p', () => seen.push('catalog 2'), null, 'catalog'); // supersedes catalog 1
    h.drainAll();
    expect(seen).toEqual(['m0', 'm1', 'm2', 'leave', 'catalog 2']);
  });

  it('a kept state message is superseded by a newer one of its kind that got a place in the queue', () => {
    const h = behind(2);
    const seen: string[] = [];
    h.inbound.message('p', () => (seen.push('m0'), h.cost(10)), null); // the drain turn ends after this one
    h.inbound.message('p', () => seen.push('m1'), null);
    h.inbound.message('p', () => seen.push('catalog old'), null, 'catalog'); // past the bound: kept
    h.turn(); // m0 runs: room for one more
    expect(seen).toEqual(['m0']);
    h.inbound.message('p', () => seen.push('catalog new'), null, 'catalog'); // queued, after m1
    h.drainAll();
    expect(seen).toEqual(['m0', 'm1', 'catalog new']);
  });

  it('clear forgets the senders too', () => {
    const h = behind(1);
    h.inbound.message('p', () => undefined, null);
    h.inbound.message('p', () => undefined, null);
    h.inbound.clear();
    expect(h.inbound.queuedFrom('p')).toBe(0);
    expect(h.inbound.droppedFrom('p')).toBe(0);
  });
});

describe('Inbound: bounded in size per sender', () => {
  it('messages past the character bound are dropped; one message of any size may wait alone', () => {
    let now = 0;
    const deferred: (() => void)[] = [];
    const inbound = new Inbound({ now: () => now, defer: (fn) => void deferred.push(fn), sliceMs: 5, maxQueuedCharsPerSender: 10_000 });
    inbound.run(() => void (now += 10)); // the turn's slice is spent
    const big = { v: 1, type: 'snapshot', blob: 'x'.repeat(50_000) };
    const small = { v: 1, type: 'renew', claimIds: ['a'.repeat(3_000)] };
    expect(inbound.message('p', () => undefined, big)).toBe(true); // alone: waits whatever its size
    expect(inbound.message('p', () => undefined, small)).toBe(false); // past the bound
    expect(inbound.message('q', () => undefined, small)).toBe(true);
    expect(inbound.message('q', () => undefined, small)).toBe(true);
    expect(inbound.message('q', () => undefined, small)).toBe(true);
    expect(inbound.message('q', () => undefined, small)).toBe(false); // ≈ 3,000 each: the fourth is past 10,000
    expect(inbound.dropped).toBe(2);
  });
});
