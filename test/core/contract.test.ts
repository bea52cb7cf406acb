// The example of docs/core-api.md, run as a user would write it: it must type-check and behave.
import { describe, expect, it } from 'vitest';
import { createMachine, reactor, TimeoutError } from '../../src/core';

export const counter = reactor({ name: 'counter', version: '1.0.0', module: import.meta.url }, (r) => {
  const count = r.molecule<number>('count');
  const incr = r.molecule('incr');
  const read = r.blocking<void, number>('read');
  const total = r.molecule<number>('total', { distributed: true });
  const seat = r.molecule<number>('seat', { static: 10 });
  const temp = r.latched<number>('temp');

  r.react('increment', [count, incr], ([c], out) => out(count, c + 1));
  r.react('read', [count, read], ([c, call], out) => {
    out(count, c);
    call.reply(c);
  });
  r.react('big', [count.when((c) => c > 10), incr], ([c], out) => out(count, c));
  r.react('five', [count.is(5), incr], ([c], out) => out(count, c));
  r.react('pair', [total, total], ([x, y], out) => out(total, x + y), { guard: ([x, y]) => x < y });
  r.react('flaky', [incr, seat], async ([, s], out) => {
    await Promise.resolve();
    out(seat, s);
  }, { retry: true });
  r.react('heavy', [total.when((n) => n > 1000)], ([n], out) => out(total, n % 1000), { pool: true });
  return { count, incr, read, total, temp };
});

describe('core-api.md example', () => {
  it('loads, emits, reads, times out and unloads', async () => {
    const machine = createMachine();
    const finished: string[] = [];
    const off = machine.on('reaction-finished', (e) => finished.push(e.reaction));
    const c = machine.load(counter);
    expect(() => machine.load(counter)).toThrow(/already loaded/);
    c.emit.count(100);
    c.emit.incr();
    const v = await c.emit.read(undefined, { timeoutMs: 1000 });
    expect(v).toBeGreaterThanOrEqual(100);
    c.emit.temp(21.5);
    c.emit.total(1);
    c.emit.total(2);
    await machine.idle();
    const totals = machine.molecules().find((m) => m.name === 'total');
    expect(totals?.distributed).toBe(true);
    expect(totals?.values).toEqual([3]);
    const seat = machine.molecules().find((m) => m.name === 'seat');
    expect(seat).toMatchObject({ static: true, count: 1 });
    expect(finished).toContain('read');
    off();
    machine.unload(c.id);
    expect(() => c.emit.incr()).toThrow(/not loaded/);
    const again = machine.load(counter);
    await expect(again.emit.read(undefined, { timeoutMs: 5 })).rejects.toBeInstanceOf(TimeoutError);
    machine.dispose();
  });
});
