// The counter reactor: Chymyst's counter, plus the merge that makes repeated seeds harmless.
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from '../../src/core/machine';
import type { Machine } from '../../src/core/machine-api';
import { counter } from '../../src/reactors/counter';
import { exampleReactor } from '../../src/reactors/index';
import { countIn } from './soup';

let machine: Machine;
afterEach(() => machine.dispose());

describe('counter reactor', () => {
  it('counts 100 → 101 → 100 → 98 as in Chymyst chapter 1', async () => {
    machine = createMachine();
    const c = machine.load(counter);
    c.emit.count(100);
    c.emit.incr();
    await machine.idle(); // no order is promised between competing reactions: let the increment land first
    expect(await c.emit.read(undefined, { timeoutMs: 1000 })).toBe(101);
    c.emit.decr();
    await machine.idle();
    expect(await c.emit.read(undefined, { timeoutMs: 1000 })).toBe(100);
    c.emit.decr();
    c.emit.decr();
    await machine.idle();
    expect(await c.emit.read(undefined, { timeoutMs: 1000 })).toBe(98);
  });

  it('seeds from several loads merge into one copy and the value is the number of increments', async () => {
    machine = createMachine();
    const c = machine.load(counter);
    const seed = exampleReactor('counter')?.seed ?? [];
    expect(seed).toEqual([{ molecule: 'count', value: 0 }]);
    for (let load = 0; load < 3; load++) for (const s of seed) c.feed(s.molecule, s.value);
    for (let i = 0; i < 7; i++) c.emit.incr();
    for (let i = 0; i < 2; i++) c.emit.decr();
    await machine.idle();
    expect(countIn(machine, 'counter', 'count')).toBe(1);
    expect(await c.emit.read(undefined, { timeoutMs: 1000 })).toBe(5);
  });
});
