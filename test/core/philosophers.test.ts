// Dining philosophers: forks are static molecules (exactly one copy each, re-emitted by every meal),
// meals are async so they overlap in time. Checked from the event log: every philosopher eats 50 times,
// nothing deadlocks, and two neighbours are never eating at the same time.
import { describe, expect, it } from 'vitest';
import { createMachine, reactor, type Molecule } from '../../src/core';

const N = 5;
const MEALS = 50;

const table = reactor({ name: 'dining-philosophers', version: '1.0.0' }, (r) => {
  const forks: Molecule<void>[] = [];
  const hungry: Molecule<number>[] = [];
  const thinking: Molecule<number>[] = [];
  for (let i = 0; i < N; i++) {
    forks.push(r.molecule<void>(`fork${i}`, { static: undefined }));
    hungry.push(r.molecule<number>(`hungry${i}`));
    thinking.push(r.molecule<number>(`thinking${i}`));
  }
  for (let i = 0; i < N; i++) {
    const left = forks[i] as Molecule<void>;
    const right = forks[(i + 1) % N] as Molecule<void>;
    const h = hungry[i] as Molecule<number>;
    const t = thinking[i] as Molecule<number>;
    r.react(`eat${i}`, [h, left, right], async ([meals], out) => {
      await new Promise((resolve) => setTimeout(resolve, (meals * 7 + i * 3) % 3));
      out(left);
      out(right);
      out(t, meals + 1);
    });
    r.react(`think${i}`, [t], ([meals], out) => {
      if (meals < MEALS) out(h, meals);
    });
  }
  return Object.fromEntries(hungry.map((h, i) => [`hungry${i}`, h])) as Record<string, Molecule<number>>;
});

describe('dining philosophers', () => {
  it(`${N} philosophers eat ${MEALS} meals each; neighbours never eat at once`, async () => {
    const machine = createMachine();
    const log: { kind: 'start' | 'end'; who: number }[] = [];
    machine.on('reaction-started', (e) => {
      if (e.reaction.startsWith('eat')) log.push({ kind: 'start', who: Number(e.reaction.slice(3)) });
    });
    machine.on('reaction-finished', (e) => {
      if (e.reaction.startsWith('eat')) log.push({ kind: 'end', who: Number(e.reaction.slice(3)) });
    });
    const errors: Error[] = [];
    machine.on('error', (e) => errors.push(e.error));
    const t = machine.load(table);
    for (let i = 0; i < N; i++) (t.emit[`hungry${i}`] as (v: number) => void)(0);
    await machine.idle();

    const eating = new Set<number>();
    const meals = new Array<number>(N).fill(0);
    let maxTogether = 0;
    for (const e of log) {
      if (e.kind === 'start') {
        expect(eating.has((e.who + 1) % N), `philosopher ${e.who} started while right neighbour eats`).toBe(false);
        expect(eating.has((e.who + N - 1) % N), `philosopher ${e.who} started while left neighbour eats`).toBe(false);
        eating.add(e.who);
        maxTogether = Math.max(maxTogether, eating.size);
      } else {
        eating.delete(e.who);
        meals[e.who] = (meals[e.who] as number) + 1;
      }
    }
    expect(meals).toEqual(new Array<number>(N).fill(MEALS));
    expect(maxTogether).toBe(2); // meals really overlapped: the check above was not vacuous
    expect(errors).toEqual([]);
    // Every fork is back on the table, exactly once.
    for (const m of machine.molecules().filter((x) => x.static)) expect(m.count).toBe(1);
    machine.dispose();
  });
});
