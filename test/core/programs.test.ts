// Canonical chemical programs, written against the public API as a user would.
import { describe, expect, it } from 'vitest';
import { createMachine, reactor, seededRandom } from '../../src/core';

describe('map/reduce', () => {
  const sumOfSquares = reactor({ name: 'sum-of-squares', version: '1.0.0' }, (r) => {
    const carrier = r.molecule<number>('carrier');
    const square = r.molecule<number>('square');
    const acc = r.molecule<{ sum: number; n: number }>('acc');
    const result = r.blocking<number, number>('result');
    r.react('map', [carrier], ([x], out) => out(square, x * x));
    r.react('reduce', [acc, square], ([a, y], out) => out(acc, { sum: a.sum + y, n: a.n + 1 }));
    r.react('fetch', [acc, result], ([a, call], out) => {
      out(acc, a);
      call.reply(a.sum);
    }, { guard: ([a, call]) => a.n === call.value });
    return { carrier, acc, result };
  });

  it('sums the squares of 1..100 to 338350', async () => {
    const machine = createMachine();
    const mr = machine.load(sumOfSquares);
    mr.emit.acc({ sum: 0, n: 0 });
    const answer = mr.emit.result(100, { timeoutMs: 5000 });
    for (let x = 1; x <= 100; x++) mr.emit.carrier(x);
    expect(await answer).toBe(338350);
    machine.dispose();
  });
});

describe('merge sort', () => {
  type Run = { items: number[]; total: number };
  const merge = (a: number[], b: number[]): number[] => {
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) out.push((a[i] as number) <= (b[j] as number) ? (a[i++] as number) : (b[j++] as number));
    return out.concat(a.slice(i), b.slice(j));
  };
  const mergeSort = reactor({ name: 'merge-sort', version: '1.0.0' }, (r) => {
    const split = r.molecule<Run>('split');
    const run = r.molecule<Run>('run');
    const sorted = r.blocking<void, number[]>('sorted');
    // Split recursively down to single elements; sorted runs then merge pairwise, in whatever order they meet.
    r.react('split', [split], ([s], out) => {
      if (s.items.length <= 1) return out(run, s);
      const mid = s.items.length >> 1;
      out(split, { items: s.items.slice(0, mid), total: s.total });
      out(split, { items: s.items.slice(mid), total: s.total });
    });
    r.react('merge', [run, run], ([a, b], out) => out(run, { items: merge(a.items, b.items), total: a.total }));
    r.react('done', [run.when((x) => x.items.length === x.total), sorted], ([x, call]) => {
      call.reply(x.items);
    });
    return { split, sorted };
  });

  it('sorts 1,000 seeded random numbers', async () => {
    const rnd = seededRandom(1234);
    const items = Array.from({ length: 1000 }, () => Math.floor(rnd.next() * 1_000_000));
    const machine = createMachine();
    const ms = machine.load(mergeSort);
    const result = ms.emit.sorted(undefined, { timeoutMs: 5000 });
    ms.emit.split({ items, total: items.length });
    expect(await result).toEqual([...items].sort((a, b) => a - b));
    machine.dispose();
  });
});

describe('KOS latched tokens: a := b + c', () => {
  const kos = reactor({ name: 'kos-sum', version: '1.0.0' }, (r) => {
    const b = r.latched<number>('b');
    const c = r.latched<number>('c');
    const a = r.latched<number>('a');
    r.react('a := b + c', [b, c], ([x, y], out) => out(a, x + y));
    return { a, b, c };
  });

  it('fires only when both are present, then on every change', async () => {
    const machine = createMachine();
    const k = machine.load(kos);
    const seen: unknown[] = [];
    machine.on('emitted', (e) => {
      if (e.molecule === 'a') seen.push(e.value);
    });
    const a = (): readonly unknown[] => machine.molecules().find((m) => m.name === 'a')?.values ?? [];
    k.feed('b', 10);
    await machine.idle();
    expect(a()).toEqual([]);
    k.feed('c', 5);
    expect(a()).toEqual([15]);
    k.emit.b(100);
    expect(a()).toEqual([105]);
    k.emit.c(50);
    expect(a()).toEqual([150]);
    expect(seen).toEqual([15, 105, 150]);
    // Reading does not consume: both tokens are still there.
    expect(machine.molecules().filter((m) => m.latched).map((m) => [m.name, m.values])).toEqual([
      ['b', [100]],
      ['c', [50]],
      ['a', [150]],
    ]);
    machine.dispose();
  });

  it('a reaction mixing latched and consumed inputs reads the latest value and consumes only the others', async () => {
    const scaled = reactor({ name: 'scaled', version: '1' }, (r) => {
      const factor = r.latched<number>('factor');
      const x = r.molecule<number>('x');
      const y = r.molecule<number>('y');
      r.react('scale', [x, factor], ([v, f], out) => out(y, v * f));
      return { factor, x, y };
    });
    const machine = createMachine();
    const s = machine.load(scaled);
    s.emit.x(1);
    s.emit.factor(10);
    s.emit.x(2);
    s.emit.factor(100);
    s.emit.x(3);
    await machine.idle();
    const ys = machine.molecules().find((m) => m.name === 'y')?.values;
    expect([...(ys ?? [])].sort((p, q) => (p as number) - (q as number))).toEqual([10, 20, 300]);
    machine.dispose();
  });
});
