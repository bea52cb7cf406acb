import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCompactedLog } from '../../src/store/compacted-log';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';

type Entry = { add: string } | { remove: string };
const fold = (s: Record<string, number>, e: Entry): Record<string, number> => {
  if ('add' in e) s[e.add] = (s[e.add] ?? 0) + 1;
  else if (s[e.remove]) s[e.remove]! -= 1;
  return s;
};
const bagLog = (store: Store, compactEvery = 5) =>
  createCompactedLog<Record<string, number>, Entry>({ store, prefix: 'peers/p/local', initial: () => ({}), apply: fold, compactEvery });

describe('compacted log', () => {
  it('folds appended entries and restores them after a restart', async () => {
    const backing = createMemoryBacking();
    const log = bagLog(createMemoryStore(backing), 1000);
    expect(await log.open()).toEqual({});
    await log.append([{ add: 'a' }, { add: 'a' }, { add: 'b' }]);
    await log.append([{ remove: 'a' }]);
    expect(log.state()).toEqual({ a: 1, b: 1 });
    const again = bagLog(createMemoryStore(backing), 1000);
    expect(await again.open()).toEqual({ a: 1, b: 1 });
    expect(again.tail).toBe(4);
  });

  it('keeps start-up work bounded: the tail never exceeds compactEvery after compaction', async () => {
    const backing = createMemoryBacking();
    const store = createMemoryStore(backing);
    const log = bagLog(store, 10);
    await log.open();
    for (let i = 0; i < 95; i++) await log.append([{ add: `m${i % 7}` }]);
    await log.compact();
    const again = bagLog(createMemoryStore(backing), 10);
    await again.open();
    expect(again.tail).toBe(0);
    expect(again.state()).toEqual(log.state());
    // Only the snapshot is left: the log keys were dropped with the compactions that covered them.
    expect((await store.range('peers/p/local/log/')).length).toBe(0);
  });

  it('writes extra ops atomically with the entries', async () => {
    const store = createMemoryStore();
    const log = bagLog(store);
    await log.open();
    await log.append([{ add: 'x' }], [{ type: 'put', key: 'peers/p/name', value: 'Ada' }]);
    expect(await store.load('peers/p/name')).toBe('Ada');
    await expect(log.append([{ add: 'y' }], [{ type: 'put', key: 'bad', value: Symbol('no') }])).rejects.toThrow();
    const again = bagLog(store);
    expect(await again.open()).toEqual({ x: 1 });
  });

  it('replays a newer generation when the compaction that started it never committed', async () => {
    const store = createMemoryStore();
    // On disk: snapshot of generation 1, its log, and appends to generation 2 whose snapshot was lost.
    await store.batch([
      { type: 'put', key: 'peers/p/local/snapshot', value: { generation: 1, state: { a: 1 } } },
      { type: 'put', key: 'peers/p/local/log/0000000000/000000000000', value: [{ add: 'old' }] },
      { type: 'put', key: 'peers/p/local/log/0000000001/000000000000', value: [{ add: 'b' }] },
      { type: 'put', key: 'peers/p/local/log/0000000002/000000000000', value: [{ add: 'c' }] },
    ]);
    const log = bagLog(store);
    expect(await log.open()).toEqual({ a: 1, b: 1, c: 1 });
    await log.append([{ add: 'd' }]);
    const again = bagLog(store);
    expect(await again.open()).toEqual({ a: 1, b: 1, c: 1, d: 1 });
  });

  it('never loses or doubles an entry, whatever the interleaving of appends, compactions and restarts', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), entries: fc.array(fc.oneof(fc.record({ add: fc.constantFrom('a', 'b', 'c') }), fc.record({ remove: fc.constantFrom('a', 'b', 'c') })), { maxLength: 4 }), wait: fc.boolean() }),
      fc.record({ kind: fc.constant('compact' as const) }),
      fc.record({ kind: fc.constant('restart' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), async (ops, every) => {
        const backing = createMemoryBacking();
        let log = bagLog(createMemoryStore(backing), every);
        await log.open();
        let model: Record<string, number> = {};
        let inFlight: Promise<unknown>[] = [];
        for (const o of ops) {
          if (o.kind === 'append') {
            for (const e of o.entries) model = fold(model, e);
            const p = log.append(o.entries);
            if (o.wait) await p;
            else inFlight.push(p);
          } else if (o.kind === 'compact') inFlight.push(log.compact());
          else {
            // A crash ends the old owner; here it must fall quiet before the new one opens (identity locks
            // guarantee one owner at a time in the app).
            await Promise.allSettled(inFlight);
            await log.settled();
            inFlight = [];
            log = bagLog(createMemoryStore(backing), every);
            await log.open();
          }
          expect(log.state()).toEqual(model);
        }
        await Promise.all(inFlight);
        const restarted = bagLog(createMemoryStore(backing), every);
        expect(await restarted.open()).toEqual(model);
      }),
      { numRuns: 150 },
    );
  });
});
