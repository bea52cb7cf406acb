// A view of a Store under a key prefix, so each part of a peer (identity, local molecules, the dcm replica)
// gets its own key space in the one room database without knowing the layout around it.
import type { Store, StoreOp } from './store';

/**
 * Keys passed to the view are stored as `prefix + key`. `close()` on the view does nothing: the owner of
 * the underlying store closes it (several views share one connection).
 */
export function scopeStore(store: Store, prefix: string): Store {
  const scope = (op: StoreOp): StoreOp => {
    switch (op.type) {
      case 'put':
        return { ...op, key: prefix + op.key };
      case 'delete':
        return { type: 'delete', key: prefix + op.key };
      case 'delete-prefix':
        return { type: 'delete-prefix', prefix: prefix + op.prefix };
      case 'merge':
        return { ...op, key: prefix + op.key };
    }
  };
  return {
    load: (key) => store.load(prefix + key),
    save: (key, value) => store.save(prefix + key, value),
    remove: (key) => store.remove(prefix + key),
    range: async <T>(p: string) => (await store.range<T>(prefix + p)).map(([k, v]) => [k.slice(prefix.length), v] as const),
    batch: (ops) => store.batch(ops.map(scope)),
    close: async () => undefined,
  };
}
