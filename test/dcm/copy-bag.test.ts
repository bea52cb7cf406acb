import { describe, expect, it } from 'vitest';
import type { DistributedMolecule } from '../../src/core/distributed-port';
import type { MoleculeId, ReactorId } from '../../src/core/ids';
import { type BagItem, CopyBag, Part, type Preference } from '../../src/dcm/copy-bag';

const copy = (i: number): DistributedMolecule => ({ id: `m${i}` as MoleculeId, reactor: 'r' as ReactorId, name: 'job', value: i });
const ids = (it: Iterable<BagItem>): string[] => [...it].map((x) => x.molecule.id).sort();
/** The bag's items by copy number, each made once (an item carries its place in the one bag it is in). */
const itemsFor = (): ((i: number) => BagItem) => {
  const items = new Map<number, BagItem>();
  return (i) => {
    let x = items.get(i);
    if (!x) items.set(i, (x = { molecule: copy(i), at: -1 }));
    return x;
  };
};

describe('CopyBag: open and held parts', () => {
  it('keeps held copies out of the open walk, and moves them back', () => {
    const bag = new CopyBag();
    const item = itemsFor();
    for (let i = 0; i < 6; i++) bag.add(item(i), i % 2 === 1);
    expect(ids(bag.open(0.5))).toEqual(['m0', 'm2', 'm4']);
    expect(ids(bag.held(0.3))).toEqual(['m1', 'm3', 'm5']);
    bag.setHeld(item(3), false);
    bag.setHeld(item(0), true);
    expect(ids(bag.open(0))).toEqual(['m2', 'm3', 'm4']);
    expect(ids(bag.held(0))).toEqual(['m0', 'm1', 'm5']);
    expect(ids(bag.all())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('matches a plain model under random adds, deletes and holds', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const bag = new CopyBag();
    const item = itemsFor();
    const model = new Map<string, boolean>(); // id -> held
    for (let step = 0; step < 5000; step++) {
      const i = Math.floor(rnd() * 40);
      const id = `m${i}` as MoleculeId;
      const op = rnd();
      if (op < 0.4) {
        const held = rnd() < 0.5;
        bag.add(item(i), held);
        if (!model.has(id)) model.set(id, held);
      } else if (op < 0.7) {
        bag.delete(item(i));
        model.delete(id);
      } else {
        const held = rnd() < 0.5;
        bag.setHeld(item(i), held);
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

  it('offers the copies preferred to this peer first, sorting a bounded number per look, all again on a new stamp', () => {
    const bag = new CopyBag();
    const item = itemsFor();
    let stamp = 1;
    let asked = 0;
    let mod = 3;
    const preference: Preference = {
      stamp: () => stamp,
      mine: (m) => {
        asked++;
        return (m.value as number) % mod === 0;
      },
    };
    for (let i = 0; i < 600; i++) bag.add(item(i), i >= 590);
    const order = (): number[] => [...bag.open(0.37)].map((x) => x.molecule.value as number);
    bag.sort(preference, 'r');
    expect(asked).toBeLessThanOrEqual(256);
    expect(bag.count(Part.Unsorted)).toBe(590 - asked);
    for (let n = 0; n < 5; n++) bag.sort(preference, 'r');
    expect(asked).toBe(590);
    expect(bag.count(Part.Held)).toBe(10);
    const offered = order();
    expect(offered).toHaveLength(590);
    const own = offered.filter((v) => v % 3 === 0).length;
    expect(offered.slice(0, own).every((v) => v % 3 === 0)).toBe(true);
    // Sorting again with the same stamp asks nothing; a new stamp sorts every copy again.
    bag.sort(preference, 'r');
    expect(asked).toBe(590);
    stamp = 2;
    mod = 5;
    for (let n = 0; n < 3; n++) bag.sort(preference, 'r');
    expect(asked).toBe(1180);
    const again = order();
    const own5 = again.filter((v) => v % 5 === 0).length;
    expect(again.slice(0, own5).every((v) => v % 5 === 0)).toBe(true);
    expect(again.slice(own5).some((v) => v % 5 === 0)).toBe(false);
  });

  it('keeps its parts consistent with a plain model under adds, deletes, holds and sorts', () => {
    let seed = 11;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const bag = new CopyBag();
    const item = itemsFor();
    let stamp = 0;
    const preference: Preference = { stamp: () => stamp, mine: (m) => ((m.value as number) + stamp) % 4 === 0 };
    const model = new Map<string, { held: boolean; value: number }>();
    for (let step = 0; step < 5000; step++) {
      const i = Math.floor(rnd() * 60);
      const id = `m${i}` as MoleculeId;
      const op = rnd();
      if (op < 0.35) {
        const held = rnd() < 0.3;
        bag.add(item(i), held);
        if (!model.has(id)) model.set(id, { held, value: i });
      } else if (op < 0.6) {
        bag.delete(item(i));
        model.delete(id);
      } else if (op < 0.8) {
        const held = rnd() < 0.5;
        bag.setHeld(item(i), held);
        const e = model.get(id);
        if (e) e.held = held;
      } else {
        if (rnd() < 0.1) stamp++;
        bag.sort(preference, 'r');
      }
      const open = [...model].filter(([, e]) => !e.held);
      expect(bag.size).toBe(model.size);
      expect(bag.openSize).toBe(open.length);
      expect(bag.count(Part.Mine) + bag.count(Part.Others) + bag.count(Part.Unsorted)).toBe(open.length);
      expect(ids(bag.open(rnd()))).toEqual(open.map(([k]) => k).sort());
      expect(ids(bag.held(rnd()))).toEqual([...model].filter(([, e]) => e.held).map(([k]) => k).sort());
      // Sorted copies are where the preference of the current stamp puts them.
      const start = rnd();
      for (let k = 0; k < bag.count(Part.Mine); k++) expect(preference.mine((bag.at(Part.Mine, start, k) as BagItem).molecule)).toBe(true);
      for (let k = 0; k < bag.count(Part.Others); k++) expect(preference.mine((bag.at(Part.Others, start, k) as BagItem).molecule)).toBe(false);
      expect(bag.has(item(i))).toBe(model.has(id));
    }
  });
});
