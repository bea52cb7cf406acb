// Schema versions of a room database. The IndexedDB version number is the length of the migration list:
// opening with a longer list runs the missing steps, in order, inside the upgrade transaction, so an
// upgrade either completes entirely or leaves the previous schema untouched.

/** Name of the object store holding the Store port's key-value pairs. */
export const KV_STORE = 'kv';

/**
 * One schema step. It runs inside the `versionchange` transaction: use `tx.objectStore(...)` and
 * request callbacks only (no awaiting other work), or the transaction auto-commits half way.
 */
export type Migration = (db: IDBDatabase, tx: IDBTransaction) => void;

export const migrations: readonly Migration[] = [
  // v1: one object store with out-of-line string keys. Everything else (log, snapshots, identity) is a
  // key layout on top of it, so most future changes are key migrations, not schema changes.
  (db) => {
    db.createObjectStore(KV_STORE);
  },
];

/** Run the steps between two versions (oldVersion is 0 for a new database). */
export function migrate(list: readonly Migration[], db: IDBDatabase, tx: IDBTransaction, oldVersion: number, newVersion: number): void {
  for (let v = oldVersion; v < newVersion; v++) {
    const step = list[v];
    if (!step) throw new Error(`no migration from schema version ${v} to ${v + 1}`);
    step(db, tx);
  }
}
