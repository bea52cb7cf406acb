// No enabled reaction starves under a stream of competing emissions, and no molecule copy starves either.
import { describe, expect, it } from 'vitest';
import { createMachine, reactor } from '../../src/core';

describe('fairness', () => {
  it('reactions competing for the same molecule all get to run', async () => {
    const competing = reactor({ name: 'competing', version: '1' }, (r) => {
      const x = r.molecule<number>('x');
      const a = r.molecule('a');
      const b = r.molecule('b');
      const c = r.molecule('c');
      // `solo` is always enabled by x alone; the others also need a token they re-emit.
      r.react('solo', [x], () => undefined);
      r.react('withA', [x, a], (_v, out) => out(a));
      r.react('withB', [a, x, b], (_v, out) => {
        out(a);
        out(b);
      });
      r.react('guarded', [x.when((v) => v % 2 === 0), c], (_v, out) => out(c));
      return { x, a, b, c };
    });
    const machine = createMachine();
    const counts = new Map<string, number>();
    machine.on('reaction-started', (e) => counts.set(e.reaction, (counts.get(e.reaction) ?? 0) + 1));
    const k = machine.load(competing);
    k.emit.a();
    k.emit.b();
    k.emit.c();
    for (let i = 0; i < 4000; i++) k.emit.x(i);
    await machine.idle();
    const total = [...counts.values()].reduce((s, n) => s + n, 0);
    expect(total).toBe(4000);
    for (const name of ['solo', 'withA', 'withB', 'guarded']) expect(counts.get(name) ?? 0, name).toBeGreaterThan(500);
    machine.dispose();
  });

  it('copies are taken oldest first, so a stream of new copies cannot starve an old one', async () => {
    const queue = reactor({ name: 'fifo', version: '1' }, (r) => {
      const job = r.molecule<number>('job');
      const worker = r.molecule('worker');
      const done = r.molecule<number>('done');
      r.react('work', [job, worker], ([n], out) => {
        out(done, n);
        out(worker);
      });
      return { job, worker };
    });
    const machine = createMachine();
    const order: number[] = [];
    machine.on('reaction-started', (e) => order.push(e.inputs[0] as number));
    const q = machine.load(queue);
    for (let i = 0; i < 100; i++) q.emit.job(i);
    q.emit.worker();
    for (let i = 100; i < 200; i++) q.emit.job(i);
    await machine.idle();
    expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i));
    machine.dispose();
  });

  it('a reaction loop yields to the event loop instead of freezing it', async () => {
    const ticker = reactor({ name: 'ticker', version: '1' }, (r) => {
      const tick = r.molecule<number>('tick');
      const stop = r.molecule('stop');
      r.react('tick', [tick], ([n], out) => out(tick, n + 1));
      r.react('stop', [tick, stop], () => undefined);
      return { tick, stop };
    });
    const machine = createMachine({ sliceSteps: 1000 });
    const t = machine.load(ticker);
    t.emit.tick(0);
    let ticksWhenTimerRan = -1;
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        ticksWhenTimerRan = machine.stats().reactions;
        t.emit.stop();
        resolve();
      }, 0),
    );
    await machine.idle();
    expect(ticksWhenTimerRan).toBeGreaterThan(0);
    expect(machine.molecules().find((m) => m.name === 'tick')?.count).toBe(0);
    machine.dispose();
  });
});
