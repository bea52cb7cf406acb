import { describe, expect, it } from 'vitest';
import { createMachine, reactor } from '../../src/core';

const make = (version: string, factor: number, reversed = false) =>
  reactor({ name: 'ident', version }, (r) => {
    const a = r.molecule<number>('a');
    const b = r.molecule<number>('b');
    const reactions = [
      () => r.react('double', [a], ([x], out) => out(b, x * 2)),
      () => r.react('back', [b.when((x) => x > 100)], ([x], out) => out(a, x)),
    ];
    for (const add of reversed ? reactions.reverse() : reactions) add();
    void factor;
    return { a, b };
  });

describe('reactor identity', () => {
  it('is a stable hash of name, version, molecules and reaction source', () => {
    const one = make('1.0.0', 1);
    expect(one.id).toMatch(/^[0-9a-f]{16}$/);
    expect(make('1.0.0', 2).id).toBe(one.id); // same source text
    expect(make('1.0.0', 1, true).id).toBe(one.id); // declaration order is ignored
    expect(make('1.0.1', 1).id).not.toBe(one.id);
    const changedBody = reactor({ name: 'ident', version: '1.0.0' }, (r) => {
      const a = r.molecule<number>('a');
      const b = r.molecule<number>('b');
      r.react('double', [a], ([x], out) => out(b, x * 3));
      r.react('back', [b.when((x) => x > 100)], ([x], out) => out(a, x));
      return { a, b };
    });
    expect(changedBody.id).not.toBe(one.id);
    expect(one.info.molecules).toEqual([
      { name: 'a', kind: 'molecule', distributed: false, static: false },
      { name: 'b', kind: 'molecule', distributed: false, static: false },
    ]);
  });

  it('two machines in one process load the same definition independently', () => {
    const def = make('1.0.0', 1);
    const m1 = createMachine();
    const m2 = createMachine();
    m1.load(def).emit.a(1);
    m2.load(def).emit.a(10);
    expect(m1.molecules().find((m) => m.name === 'b')?.values).toEqual([2]);
    expect(m2.molecules().find((m) => m.name === 'b')?.values).toEqual([20]);
    m1.dispose();
    m2.dispose();
  });
});
