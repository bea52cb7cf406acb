// What persistence relies on: molecules() lists the local soup, and load(def, { restore }) brings it back.
import { describe, expect, it } from 'vitest';
import { createMachine, reactor } from '../../src/core';

const todo = reactor({ name: 'todo-snap', version: '1' }, (r) => {
  const item = r.molecule<{ id: number; text: string }>('item');
  const nextId = r.molecule<number>('nextId', { static: 1 });
  const add = r.molecule<string>('add');
  const theme = r.latched<string>('theme');
  const list = r.blocking<void, string[]>('list');
  r.react('add', [nextId, add], ([id, text], out) => {
    out(nextId, id + 1);
    out(item, { id, text });
  });
  return { add, theme, list };
});

describe('snapshot and restore', () => {
  it('round-trips local molecules, static values and latched tokens', async () => {
    const a = createMachine();
    const t = a.load(todo);
    t.emit.add('milk');
    t.emit.add('eggs');
    t.emit.theme('dark');
    const pendingList = t.emit.list(undefined, { timeoutMs: 5000 }).catch((e: Error) => e.name);
    const snap = a.molecules({ reactor: t.id });
    expect(snap.map((m) => [m.name, m.count, m.static, m.latched])).toEqual([
      ['item', 2, false, false],
      ['nextId', 1, true, false],
      ['add', 0, false, false],
      ['theme', 1, false, true],
      ['list', 1, false, false],
    ]);
    // Past the limit the newest copies are kept: a long chat shows its latest messages.
    expect(a.molecules({ limit: 1 }).find((m) => m.name === 'item')?.values).toEqual([{ id: 2, text: 'eggs' }]);
    // Persist what is local state (not blocking callers), then bring it back in another machine.
    const restore = snap.filter((m) => m.kind !== 'blocking' && !m.distributed).flatMap((m) => m.values.map((value) => ({ name: m.name, value })));
    a.dispose();
    expect(await pendingList).toBe('NoReplyError'); // disposing rejects waiting callers

    const b = createMachine();
    const t2 = b.load(todo, { restore });
    t2.emit.add('bread');
    const items = b.molecules().find((m) => m.name === 'item')?.values;
    expect(items).toEqual([
      { id: 1, text: 'milk' },
      { id: 2, text: 'eggs' },
      { id: 3, text: 'bread' },
    ]);
    expect(b.molecules().find((m) => m.name === 'theme')?.values).toEqual(['dark']);
    expect(() => b.load(todo)).toThrow(/already loaded/);
    expect(() => createMachine().load(todo, { restore: [{ name: 'list', value: 1 }] })).toThrow(/blocking and distributed molecules are not local state/);
    b.dispose();
  });
});
