// RecentMap: the newest `limit` keys, oldest dropped first, in insertion order (a replica's recent commits
// go into snapshots in this order), and no slower per insert however many keys it dropped before.
import { describe, expect, it } from 'vitest';
import { RecentMap, RecentRing } from '../../src/dcm/recent';

describe('RecentMap', () => {
  it('keeps the newest keys in insertion order; a key set again keeps its place and takes the new value', () => {
    const m = new RecentMap<string, number>(3);
    for (const k of ['a', 'b', 'c']) m.set(k, 1);
    m.set('a', 2);
    expect([...m.keys()]).toEqual(['a', 'b', 'c']);
    expect(m.get('a')).toBe(2);
    m.set('d', 1);
    expect([...m.keys()]).toEqual(['b', 'c', 'd']);
    expect(m.has('a')).toBe(false);
    m.clear();
    expect(m.size).toBe(0);
    m.set('e', 1);
    expect([...m.keys()]).toEqual(['e']);
  });

  it('holds exactly the last `limit` of a long stream', () => {
    const m = new RecentMap<number, true>(1000);
    for (let i = 0; i < 50_000; i++) m.set(i, true);
    expect(m.size).toBe(1000);
    expect([...m.keys()]).toEqual(Array.from({ length: 1000 }, (_, i) => 49_000 + i));
  });
});

describe('RecentRing', () => {
  it('keeps the newest `limit` values, oldest first, and answers membership after any change', () => {
    const r = new RecentRing<number>(1000);
    for (let i = 0; i < 700; i++) r.add(i);
    expect(r.toArray()).toEqual(Array.from({ length: 700 }, (_, i) => i));
    expect(r.has(0)).toBe(true);
    for (let i = 700; i < 50_500; i++) {
      r.add(i);
      if (i % 4999 === 0) expect(r.has(i - 999) && !r.has(i - 1000)).toBe(true);
    }
    expect(r.size).toBe(1000);
    expect(r.toArray()).toEqual(Array.from({ length: 1000 }, (_, i) => 49_500 + i));
    expect(r.has(49_499)).toBe(false);
    expect(r.has(50_499)).toBe(true);
    r.clear();
    expect(r.toArray()).toEqual([]);
    expect(r.has(50_499)).toBe(false);
    r.add(7);
    expect(r.toArray()).toEqual([7]);
  });
});
