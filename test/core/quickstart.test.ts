import { describe, expect, it } from 'vitest';
import { createMachine, reactor } from '../../src/core';

describe('quick start: in(x) → out(2·x)', () => {
  const doubler = reactor({ name: 'doubler', version: '1.0.0' }, (r) => {
    const input = r.molecule<number>('in');
    const output = r.molecule<number>('out');
    r.react('double', [input], ([x], out) => out(output, 2 * x));
    return { input, output };
  });

  it('in(123); in(124); in(125) yields 246, 248 and 250 in some order', async () => {
    const machine = createMachine();
    const d = machine.load(doubler);
    d.emit.input(123);
    d.emit.input(124);
    d.emit.input(125);
    await machine.idle();
    const out = machine.molecules().find((m) => m.name === 'out');
    expect([...(out?.values ?? [])].sort()).toEqual([246, 248, 250]);
    machine.dispose();
  });
});

describe('counter', () => {
  const counter = reactor({ name: 'counter', version: '1.0.0' }, (r) => {
    const count = r.molecule<number>('count');
    const incr = r.molecule('incr');
    const decr = r.molecule('decr');
    const read = r.blocking<void, number>('read');
    r.react('increment', [count, incr], ([c], out) => out(count, c + 1));
    r.react('decrement', [count, decr], ([c], out) => out(count, c - 1));
    r.react('read', [count, read], ([c, call], out) => {
      out(count, c);
      call.reply(c);
    });
    return { count, incr, decr, read };
  });

  it('counts 100 → 101 → 100 → 99 → 98 and reads with a blocking call', async () => {
    const machine = createMachine();
    const c = machine.load(counter);
    c.emit.count(100);
    c.emit.incr();
    expect(await c.emit.read()).toBe(101);
    c.emit.decr();
    expect(await c.emit.read()).toBe(100);
    c.emit.decr();
    expect(await c.emit.read(undefined, { timeoutMs: 1000 })).toBe(99);
    c.emit.decr();
    expect(await c.emit.read()).toBe(98);
    machine.dispose();
  });
});
