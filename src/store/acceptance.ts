// The Store acceptance suite: every adapter (memory, IndexedDB via fake-indexeddb in Vitest, the real
// IndexedDB in a browser) must pass the same cases. It is framework-free (its own small assertions) so the
// browser lab page can run it without Vitest; `runStoreTests` hands the cases to any describe/it harness.
import type { Store, StoreOp } from './store';

/** What a case needs: open connections to one database (a second call is a second tab, or a restart). */
export interface StoreTestSetup {
  open(): Promise<Store>;
  /** Delete the database after the case (optional). */
  destroy?(): Promise<void>;
}

export interface StoreCase {
  readonly name: string;
  run(setup: StoreTestSetup): Promise<void>;
}

/** The subset of Vitest/Mocha/Jest used to register cases. */
export interface TestHarness {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
}

/** Register every store case under `describe(name)`; `setup` makes a fresh, empty database per case. */
export function runStoreTests(name: string, setup: () => Promise<StoreTestSetup> | StoreTestSetup, t: TestHarness): void {
  t.describe(`Store acceptance: ${name}`, () => {
    for (const c of storeCases) {
      t.it(c.name, async () => {
        const s = await setup();
        try {
          await c.run(s);
        } finally {
          await s.destroy?.();
        }
      });
    }
  });
}

/** Run every case against `setup` outside a test framework (the browser lab page does this). */
export async function runStoreCases(setup: () => Promise<StoreTestSetup>): Promise<Array<{ name: string; error: string | null }>> {
  const results: Array<{ name: string; error: string | null }> = [];
  for (const c of storeCases) {
    const s = await setup();
    try {
      await c.run(s);
      results.push({ name: c.name, error: null });
    } catch (e) {
      results.push({ name: c.name, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    } finally {
      await s.destroy?.();
    }
  }
  return results;
}

class StoreCaseFailure extends Error {
  override readonly name = 'StoreCaseFailure';
}

function same(actual: unknown, expected: unknown, what: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a !== e) throw new StoreCaseFailure(`${what}: expected ${e}, got ${a}`);
}

/** A comparable text for structured-clonable values (Map, Set, Date, typed arrays included). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof Map) return { $map: [...x.entries()] };
    if (x instanceof Set) return { $set: [...x.values()] };
    if (x instanceof Uint8Array) return { $bytes: [...x] };
    if (x === undefined) return '$undefined';
    if (x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Date)) {
      return Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1)));
    }
    return x;
  });
}

async function rejects(p: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new StoreCaseFailure(`${what}: expected a rejection`);
}

const keysOf = (entries: ReadonlyArray<readonly [string, unknown]>): string[] => entries.map(([k]) => k);

export const storeCases: readonly StoreCase[] = [
  {
    name: 'load of a missing key is undefined',
    async run({ open }) {
      const s = await open();
      same(await s.load('nope'), undefined, 'missing key');
      await s.close();
    },
  },
  {
    name: 'saves and loads structured values',
    async run({ open }) {
      const s = await open();
      const value = { n: 1.5, s: 'héllo ✓', list: [1, 'two', null], nested: { ok: true }, at: new Date(5), bytes: new Uint8Array([1, 2, 255]), map: new Map([['k', 1]]) };
      await s.save('a', value);
      same(await s.load('a'), value, 'round trip');
      await s.save('a', 42);
      same(await s.load('a'), 42, 'overwrite');
      await s.remove('a');
      same(await s.load('a'), undefined, 'removed');
      await s.remove('never-there');
      await s.close();
    },
  },
  {
    name: 'values are copies: mutating a saved or loaded object does not change the store',
    async run({ open }) {
      const s = await open();
      const v = { items: [1] };
      await s.save('k', v);
      v.items.push(2);
      const loaded = await s.load<{ items: number[] }>('k');
      loaded?.items.push(3);
      same(await s.load('k'), { items: [1] }, 'stored value');
      await s.close();
    },
  },
  {
    name: 'a frozen put (immutable log data) round-trips, and what a load returns is still a copy',
    async run({ open }) {
      const s = await open();
      const entry = { type: 'emit', seq: 1, molecule: { id: 'm', value: { items: [1] } } };
      await s.batch([{ type: 'put', key: 'log/1', value: entry, frozen: true }]);
      const loaded = await s.load<typeof entry>('log/1');
      same(loaded, entry, 'loaded');
      loaded?.molecule.value.items.push(2);
      same((await s.range<typeof entry>('log/'))[0]?.[1], entry, 'stored value after mutating a load');
      await s.close();
    },
  },
  {
    name: 'range returns the keys with a prefix, in code-unit order, and nothing else',
    async run({ open }) {
      const s = await open();
      const keys = ['log/10', 'log/9', 'log/09', 'log', 'log2/1', 'lo', 'log/\uffff', 'log/é', 'log/Z', 'snap'];
      await s.batch(keys.map((k, i) => ({ type: 'put', key: k, value: i })));
      same(keysOf(await s.range('log/')), ['log/09', 'log/10', 'log/9', 'log/Z', 'log/é', 'log/\uffff'], 'log/ prefix');
      same((await s.range('log/9'))[0], ['log/9', 1], 'entry value');
      same(keysOf(await s.range('log')), ['log', 'log/09', 'log/10', 'log/9', 'log/Z', 'log/é', 'log/\uffff', 'log2/1'], 'log prefix');
      same((await s.range('')).length, keys.length, 'empty prefix is everything');
      same(await s.range('zzz'), [], 'no match');
      await s.close();
    },
  },
  {
    name: 'batch applies puts, deletes and prefix deletes in order',
    async run({ open }) {
      const s = await open();
      await s.batch([
        { type: 'put', key: 'x/1', value: 1 },
        { type: 'put', key: 'x/2', value: 2 },
        { type: 'put', key: 'y', value: 'y' },
      ]);
      await s.batch([
        { type: 'delete-prefix', prefix: 'x/' },
        { type: 'put', key: 'x/3', value: 3 },
        { type: 'put', key: 'y', value: 'y2' },
        { type: 'delete', key: 'y' },
        { type: 'put', key: 'z', value: 'z' },
      ]);
      same(await s.range(''), [['x/3', 3], ['z', 'z']], 'after batch');
      await s.batch([]);
      await s.close();
    },
  },
  {
    name: 'a batch that fails part-way applies nothing',
    async run({ open }) {
      const s = await open();
      await s.save('a', 1);
      const ops: StoreOp[] = [
        { type: 'put', key: 'a', value: 2 },
        { type: 'delete-prefix', prefix: '' },
        { type: 'put', key: 'b', value: () => 'functions cannot be stored' },
      ];
      await rejects(s.batch(ops), 'uncloneable value');
      same(await s.range(''), [['a', 1]], 'state after failed batch');
      await s.save('c', 3); // the store still works afterwards
      same(await s.load('c'), 3, 'write after failure');
      await s.close();
    },
  },
  {
    name: 'a merge reads the stored value inside the batch, after the ops before it; a throwing merge applies nothing',
    async run({ open }) {
      const s = await open();
      const seen: unknown[] = [];
      const add = (key: string, n: number): StoreOp => ({ type: 'merge', key, merge: (v) => (seen.push(v), ((v as number | undefined) ?? 0) + n) });
      await s.batch([add('n', 1)]);
      await s.batch([{ type: 'put', key: 'n', value: 10 }, add('n', 5), { type: 'put', key: 'm', value: 'm' }, add('n', 1)]);
      await s.batch([{ type: 'delete-prefix', prefix: 'n' }, add('n', 2)]);
      same(seen, [undefined, 10, 15, undefined], 'values each merge saw');
      same(await s.range(''), [['m', 'm'], ['n', 2]], 'after merges');
      const failing: StoreOp[] = [
        { type: 'put', key: 'm', value: 'changed' },
        {
          type: 'merge',
          key: 'n',
          merge: () => {
            throw new Error('refused by the merge');
          },
        },
      ];
      await rejects(s.batch(failing), 'throwing merge');
      same(await s.range(''), [['m', 'm'], ['n', 2]], 'state after a refused merge');
      await s.close();
    },
  },
  {
    name: 'merges from two connections (tabs) never lose each other\'s update',
    async run({ open }) {
      const [a, b] = await Promise.all([open(), open()]);
      const bump = (store: Store): Promise<void> => store.batch([{ type: 'merge', key: 'count', merge: (v) => ((v as number | undefined) ?? 0) + 1 }]);
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? a : b)));
      same(await a.load('count'), 20, 'every increment landed');
      await Promise.all([a.close(), b.close()]);
    },
  },
  {
    name: 'data survives close and reopen',
    async run({ open }) {
      const s = await open();
      await s.batch(Array.from({ length: 50 }, (_, i) => ({ type: 'put', key: `m/${String(i).padStart(3, '0')}`, value: { i } }) as const));
      await s.close();
      await rejects(s.load('m/000'), 'load after close');
      const again = await open();
      const all = await again.range<{ i: number }>('m/');
      same(all.length, 50, 'count after reopen');
      same(all[49], ['m/049', { i: 49 }], 'last entry');
      await again.close();
    },
  },
  {
    name: 'two connections (tabs) see each other and every batch stays all-or-nothing',
    async run({ open }) {
      const [a, b] = await Promise.all([open(), open()]);
      await a.save('shared', 'from a');
      same(await b.load('shared'), 'from a', 'b sees a');
      // Each batch writes the same generation to ten keys; interleaved batches from two tabs must never
      // leave a mix of generations.
      const gen = (store: Store, g: number) => store.batch(Array.from({ length: 10 }, (_, i) => ({ type: 'put', key: `g/${i}`, value: g }) as const));
      await Promise.all(Array.from({ length: 20 }, (_, g) => gen(g % 2 ? a : b, g)));
      const values = new Set((await a.range<number>('g/')).map(([, v]) => v));
      same(values.size, 1, 'one generation across all keys');
      same((await b.range('g/')).length, 10, 'ten keys');
      await Promise.all([a.close(), b.close()]);
    },
  },
  {
    name: 'a large batch commits and ranges back in order',
    async run({ open }) {
      const s = await open();
      const n = 3000;
      await s.batch(Array.from({ length: n }, (_, i) => ({ type: 'put', key: `big/${String(i).padStart(6, '0')}`, value: { i, pad: 'x'.repeat(32) } }) as const));
      const all = await s.range<{ i: number }>('big/');
      same(all.length, n, 'count');
      same(all.every(([, v], i) => v.i === i), true, 'ordered');
      await s.batch([{ type: 'delete-prefix', prefix: 'big/' }]);
      same(await s.range('big/'), [], 'cleared');
      await s.close();
    },
  },
];
