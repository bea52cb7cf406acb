// Property tests: random programs × random emission orders. Checked from the event log and the final soup:
//  - conservation: every emitted copy is consumed at most once, and is either consumed or still present;
//  - guards: every started reaction's inputs satisfy its `when` predicates and cross guard;
//  - quiescence: when the machine is idle, no reaction is enabled by what is left.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMachine, reactor, type Input, type Molecule } from '../../src/core';

type V = { id: string; v: number; gen: number };
type Pred = { mod: number; rem: number } | null;
interface ReactionShape {
  inputs: { mol: number; pred: Pred }[];
  parity: number | null;
  outputs: number[];
  async: boolean;
  capped: boolean;
}

const NAMES = ['m0', 'm1', 'm2', 'sink'];
const predArb: fc.Arbitrary<Pred> = fc.option(fc.record({ mod: fc.constantFrom(2, 3), rem: fc.nat(1) }), { nil: null });
const reactionArb: fc.Arbitrary<ReactionShape> = fc.record({
  inputs: fc.array(fc.record({ mol: fc.nat(2), pred: predArb }), { minLength: 1, maxLength: 3 }),
  parity: fc.option(fc.nat(1), { nil: null }),
  outputs: fc.array(fc.nat(3), { maxLength: 2 }),
  async: fc.boolean(),
  capped: fc.boolean(),
});
const programArb = fc.record({
  reactions: fc.array(reactionArb, { minLength: 1, maxLength: 4 }),
  emissions: fc.array(fc.record({ mol: fc.nat(2), v: fc.nat(9) }), { maxLength: 30 }),
});

const holds = (p: Pred, x: V): boolean => p === null || x.v % p.mod === p.rem;
const guardHolds = (parity: number | null, xs: readonly V[]): boolean => parity === null || xs.reduce((s, x) => s + x.v, 0) % 2 === parity;

/** Brute force: can `shape` fire on the copies left in `soup`? */
function enabled(shape: ReactionShape, soup: ReadonlyMap<number, readonly V[]>): boolean {
  const chosen: V[] = [];
  const used = new Set<string>();
  const go = (k: number): boolean => {
    if (k === shape.inputs.length) return guardHolds(shape.parity, chosen);
    const input = shape.inputs[k] as ReactionShape['inputs'][number];
    for (const x of soup.get(input.mol) ?? []) {
      if (used.has(x.id) || !holds(input.pred, x)) continue;
      used.add(x.id);
      chosen.push(x);
      if (go(k + 1)) return true;
      chosen.pop();
      used.delete(x.id);
    }
    return false;
  };
  return go(0);
}

describe('properties of random programs', () => {
  it('conserve molecules, respect guards and leave nothing enabled', async () => {
    await fc.assert(
      fc.asyncProperty(programArb, async ({ reactions, emissions }) => {
        let next = 0;
        const def = reactor({ name: 'random-program', version: '1' }, (r) => {
          const mols = NAMES.map((n) => r.molecule<V>(n));
          reactions.forEach((shape, i) => {
            const inputs = shape.inputs.map((inp) => {
              const m = mols[inp.mol] as Molecule<V>;
              return inp.pred ? m.when((x) => holds(inp.pred, x)) : m;
            }) as Input<V>[];
            const body = (xs: V[], out: (m: Molecule<V>, v: V) => void): void => {
              const gen = Math.max(...xs.map((x) => x.gen)) + 1;
              if (gen > 2) return; // bounded: outputs of outputs stop after two generations
              for (const o of shape.outputs) out(mols[o] as Molecule<V>, { id: `out${next++}`, v: (gen * 7 + o) % 10, gen });
            };
            r.react(
              `r${i}`,
              inputs,
              shape.async
                ? async (xs, out) => {
                    await Promise.resolve();
                    body(xs, out);
                  }
                : (xs, out) => body(xs, out),
              {
                ...(shape.parity === null ? {} : { guard: (xs: V[]) => guardHolds(shape.parity, xs) }),
                ...(shape.capped ? { concurrency: 1 } : {}),
              },
            );
          });
          return Object.fromEntries(mols.map((m, i) => [NAMES[i], m])) as Record<string, Molecule<V>>;
        });
        const machine = createMachine();
        const emitted = new Set<string>();
        const consumed = new Set<string>();
        const violations: string[] = [];
        machine.on('emitted', (e) => emitted.add((e.value as V).id));
        machine.on('consumed', (e) => {
          const id = (e.value as V).id;
          if (consumed.has(id)) violations.push(`${id} consumed twice`);
          consumed.add(id);
        });
        machine.on('reaction-started', (e) => {
          const shape = reactions[Number(e.reaction.slice(1))] as ReactionShape;
          const xs = e.inputs as V[];
          shape.inputs.forEach((inp, k) => {
            if (!holds(inp.pred, xs[k] as V)) violations.push(`${e.reaction}: predicate failed at ${k}`);
          });
          if (!guardHolds(shape.parity, xs)) violations.push(`${e.reaction}: guard failed`);
          if (new Set(xs.map((x) => x.id)).size !== xs.length) violations.push(`${e.reaction}: same copy twice`);
        });
        const loaded = machine.load(def);
        emissions.forEach((em, i) => loaded.feed(NAMES[em.mol] as string, { id: `in${i}`, v: em.v, gen: 0 }));
        await machine.idle();
        const soup = new Map<number, V[]>();
        const present = new Set<string>();
        for (const m of machine.molecules()) {
          const idx = NAMES.indexOf(m.name);
          soup.set(idx, m.values as V[]);
          for (const x of m.values as V[]) {
            if (present.has(x.id)) violations.push(`${x.id} present twice`);
            present.add(x.id);
            if (consumed.has(x.id)) violations.push(`${x.id} consumed and present`);
          }
        }
        for (const id of emitted) if (!consumed.has(id) && !present.has(id)) violations.push(`${id} lost`);
        expect(emitted.size).toBe(consumed.size + present.size);
        reactions.forEach((shape, i) => {
          if (enabled(shape, soup)) violations.push(`r${i} still enabled when idle`);
        });
        machine.dispose();
        expect(violations).toEqual([]);
      }),
      { numRuns: Number(process.env['PROPERTY_RUNS'] ?? 300) },
    );
  });
});
