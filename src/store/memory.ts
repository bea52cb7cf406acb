// In-memory Store: the first-class fake for tests and the simulation, and the fallback when a browser has
// no IndexedDB (private windows in some browsers). Values are structured-cloned on the way in and out so
// callers see the same copy semantics as IndexedDB (mutating a loaded object never changes the store);
// plain data is copied without leaving JavaScript (clone.ts), which made the store a smaller share of a peer.
// A put marked `frozen` (immutable log data: entries, snapshots) is kept as it is: its caller never mutates
// it, so the copy on the way in only cost time and garbage (every peer stores every log entry). A frozen
// merge (the dcm meta record) is handed the stored value and its result is kept, both uncopied.
import { cloneValue } from './clone';
import type { Store, StoreOp } from './store';

/**
 * The data behind memory stores. Several stores opened on one backing behave like several tabs sharing
 * one IndexedDB database: they see each other's committed writes.
 */
export interface MemoryBacking {
  readonly entries: Map<string, unknown>;
}

export function createMemoryBacking(): MemoryBacking {
  return { entries: new Map() };
}

/** Open a store over `backing` (a fresh, private backing when omitted). */
export function createMemoryStore(backing: MemoryBacking = createMemoryBacking()): Store {
  let closed = false;
  const data = backing.entries;

  const live = (): void => {
    if (closed) throw new Error('store is closed');
  };

  return {
    async load<T>(key: string): Promise<T | undefined> {
      live();
      return data.has(key) ? cloneValue(data.get(key) as T) : undefined;
    },
    async save(key, value) {
      live();
      data.set(key, cloneValue(value));
    },
    async remove(key) {
      live();
      data.delete(key);
    },
    async range<T>(prefix: string): Promise<Array<readonly [string, T]>> {
      live();
      const keys = [...data.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
      return keys.map((k) => [k, cloneValue(data.get(k) as T)] as const);
    },
    async batch(ops: readonly StoreOp[]) {
      live();
      // Clone every value (and run every merge) before touching the map: a value that cannot be cloned, or
      // a merge that throws, aborts the whole batch with nothing applied, like an aborted IndexedDB transaction.
      const prepared = new Array<Prepared>(ops.length);
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i] as StoreOp;
        if (op.type === 'merge' && op.frozen) prepared[i] = { type: 'put', key: op.key, value: op.merge(staged(data, prepared, i, op.key)) };
        else if (op.type === 'merge') prepared[i] = { type: 'put', key: op.key, value: cloneValue(op.merge(cloneValue(staged(data, prepared, i, op.key)))) };
        else prepared[i] = op.type === 'put' && !op.frozen ? { ...op, value: cloneValue(op.value) } : op;
      }
      for (const op of prepared) applyOp(data, op);
    },
    async close() {
      closed = true;
    },
  };
}

type Prepared = Exclude<StoreOp, { type: 'merge' }>;

/** The value at `key` once the first `count` ops prepared in this batch apply (the latest one touching it decides). */
function staged(data: Map<string, unknown>, prepared: readonly Prepared[], count: number, key: string): unknown {
  for (let i = count - 1; i >= 0; i--) {
    const op = prepared[i] as Prepared;
    if (op.type === 'put' && op.key === key) return op.value;
    if ((op.type === 'delete' && op.key === key) || (op.type === 'delete-prefix' && key.startsWith(op.prefix))) return undefined;
  }
  return data.get(key);
}

function applyOp(data: Map<string, unknown>, op: Prepared): void {
  switch (op.type) {
    case 'put':
      data.set(op.key, op.value);
      return;
    case 'delete':
      data.delete(op.key);
      return;
    case 'delete-prefix':
      for (const k of [...data.keys()]) if (k.startsWith(op.prefix)) data.delete(k);
      return;
  }
}

/** IndexedDB orders string keys by UTF-16 code units; so does this (not localeCompare). */
export const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
