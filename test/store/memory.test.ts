import { describe, expect, it } from 'vitest';
import { runStoreTests } from '../../src/store/acceptance';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory';
import { scopeStore } from '../../src/store/scoped';

runStoreTests(
  'memory',
  () => {
    const backing = createMemoryBacking();
    return { open: async () => createMemoryStore(backing) };
  },
  { describe, it },
);

// A scoped view must behave like a whole store too (the dcm layer gets one).
runStoreTests(
  'scoped view over memory',
  () => {
    const backing = createMemoryBacking();
    return {
      open: async () => {
        const base = createMemoryStore(backing);
        // Noise outside the scope must never leak into the view's ranges.
        await base.save('other/x', 1);
        const view = scopeStore(base, 'peers/p1/');
        return { ...view, close: () => base.close() };
      },
    };
  },
  { describe, it },
);

describe('memory store: frozen puts', () => {
  it('keeps a frozen value without copying it, and still copies every other put', async () => {
    const backing = createMemoryBacking();
    const s = createMemoryStore(backing);
    const entry = { seq: 1 };
    const loose = { seq: 2 };
    await s.batch([
      { type: 'put', key: 'a', value: entry, frozen: true },
      { type: 'put', key: 'b', value: loose },
    ]);
    expect(backing.entries.get('a')).toBe(entry);
    expect(backing.entries.get('b')).not.toBe(loose);
    expect(backing.entries.get('b')).toEqual(loose);
  });

  it('hands a frozen merge the stored value and keeps its result, uncopied; other merges see copies', async () => {
    const backing = createMemoryBacking();
    const s = createMemoryStore(backing);
    const first = { n: 1 };
    const next = { n: 2 };
    await s.batch([{ type: 'put', key: 'm', value: first, frozen: true }]);
    let seen: unknown;
    await s.batch([{ type: 'merge', key: 'm', frozen: true, merge: (v) => ((seen = v), next) }]);
    expect(seen).toBe(first);
    expect(backing.entries.get('m')).toBe(next);
    await s.batch([{ type: 'merge', key: 'm', merge: (v) => ((seen = v), first) }]);
    expect(seen).not.toBe(next);
    expect(backing.entries.get('m')).not.toBe(first);
  });
});
