// cloneValue copies like structuredClone: plain data by a fast walk, everything else by structuredClone.
import { describe, expect, it } from 'vitest';
import { cloneValue } from '../../src/store/clone';

describe('cloneValue', () => {
  it('deep-copies plain data exactly as structuredClone does (no shared parts with the original)', () => {
    const v = { a: 1, b: 'x', c: [1, { d: null, e: undefined, f: -0 }], g: { h: [[true, false]], n: NaN }, big: 10n };
    const c = cloneValue(v);
    expect(c).toStrictEqual(structuredClone(v));
    expect(Object.is(c.c[1] && (c.c[1] as { f: number }).f, -0)).toBe(true);
    expect(c.c).not.toBe(v.c);
    expect(c.g.h[0]).not.toBe(v.g.h[0]);
    (v.c[1] as { d: unknown }).d = 'changed';
    expect((c.c[1] as { d: unknown }).d).toBeNull();
  });

  it('falls back to structuredClone for what is not plain: dates, maps, holes, typed arrays, cycles, deep nesting', () => {
    const date = new Date(5);
    const map = new Map([[1, { x: 1 }]]);
    const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const bytes = new Uint8Array([1, 2]);
    const c = cloneValue({ date, map, holes, bytes });
    expect(c.date).toBeInstanceOf(Date);
    expect(c.date.getTime()).toBe(5);
    expect(c.map.get(1)).toEqual({ x: 1 });
    expect(1 in c.holes).toBe(false);
    expect(c.bytes).toBeInstanceOf(Uint8Array);
    const cyclic: { self?: unknown; n: number } = { n: 1 };
    cyclic.self = cyclic;
    const cc = cloneValue(cyclic);
    expect(cc.self).toBe(cc);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(cloneValue(deep)).toEqual(deep);
  });

  it('refuses what structuredClone refuses, with its DataCloneError', () => {
    expect(() => cloneValue({ f: () => 1 })).toThrow(/could not be cloned/);
    expect(() => cloneValue([Symbol('s')])).toThrow(/could not be cloned/);
  });
});
