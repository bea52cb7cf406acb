import { describe, expect, it } from 'vitest';
import type { DistributedMolecule } from '../../src/core/distributed-port';
import type { MoleculeId, ReactorId } from '../../src/core/ids';
import { CopyBag } from '../../src/dcm/copy-bag';

const copy = (i: number): DistributedMolecule => ({ id: `m${i}` as MoleculeId, reactor: 'r' as ReactorId, name: 'job', value: i });
const ids = (it: Iterable<DistributedMolecule>): string[] => [...it].map((m) => m.id).sort();

describe('CopyBag: open and held parts', () => {
  it('keeps held copies out of the open walk, and moves them back', () => {
    const bag = new CopyBag();
    for (let i = 0; i < 6; i++) bag.add(copy(i), i % 2 === 1);
    expect(ids(bag.open(0.5))).toEqual(['m0', 'm2', 'm4']);
    expect(ids(bag.held(0.3))).toEqual(['m1', 'm3', 'm5']);
    bag.setHeld('m3' as MoleculeId, false);
    bag.setHeld('m0' as MoleculeId, true);
    expect(ids(bag.open(0))).toEqual(['m2', 'm3', 'm4']);
    expect(ids(bag.held(0))).toEqual(['m0', 'm1', 'm5']);
    expect(ids(bag.all())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('matches a plain model under random adds, deletes and holds', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const bag = new CopyBag();
    const model = new Map<string, boolean>(); // id -> held
    for (let step = 0; step < 5000; step++) {
      const i = Math.floor(rnd() * 40);
      const id = `m${i}` as MoleculeId;
      const op = rnd();
      if (op < 0.4) {
        const held = rnd() < 0.5;
        bag.add(copy(i), held);
        if (!model.has(id)) model.set(id, held);
      } else if (op < 0.7) {
        bag.delete(id);
        model.delete(id);
      } else {
        const held = rnd() < 0.5;
        bag.setHeld(id, held);
        if (model.has(id)) model.set(id, held);
      }
      const open = [...model].filter(([, h]) => !h).map(([k]) => k).sort();
      const held = [...model].filter(([, h]) => h).map(([k]) => k).sort();
      expect(bag.size).toBe(model.size);
      expect(bag.openSize).toBe(open.length);
      expect(ids(bag.open(rnd()))).toEqual(open);
      expect(ids(bag.held(rnd()))).toEqual(held);
    }
  });
});
