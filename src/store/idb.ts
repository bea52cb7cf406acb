// IndexedDB Store adapter (through `idb`). One database per room (see room-database.ts), one object store
// of key-value pairs, a schema version with migrations, and batches as single readwrite transactions so
// a crash mid-write leaves the last committed state. Tabs of one browser share the database: IndexedDB
// serialises overlapping readwrite transactions across connections, and a `versionchange` from another
// tab (a newer app version upgrading, or the database being deleted) closes this connection and reopens.
import { unwrap, wrap, type IDBPDatabase } from 'idb';
import { logger } from '../core/log';
import { toStoreError } from './errors';
import { KV_STORE, migrate, migrations as defaultMigrations, type Migration } from './migrations';
import { StoreBlockedError, type Store, type StoreOp } from './store';

const log = logger('kinetic:store:idb');

/**
 * The IndexedDB implementation to use: the browser's, or fake-indexeddb's in tests. Typed loosely on purpose:
 * the public .d.ts must type-check without the DOM library (a Node consumer imports the same entry).
 */
export interface IndexedDbEnv {
  /** An `IDBFactory`. */
  readonly indexedDB: object;
  /** The `IDBKeyRange` class. */
  readonly IDBKeyRange: object;
}

export interface IdbStoreOptions {
  /** Database name, normally `await databaseNameFor(room)`. */
  readonly name: string;
  /** Defaults to the global `indexedDB` / `IDBKeyRange`. */
  readonly env?: IndexedDbEnv;
  /** Background failures, e.g. reopening after another tab upgraded the schema past this code. */
  readonly onError?: (error: Error) => void;
}

/** Internal: the schema steps too (tests add steps to exercise upgrades). */
export interface IdbSchemaOptions extends IdbStoreOptions {
  /** Schema steps; the database version is their count. Defaults to this app's schema. */
  readonly migrations?: readonly Migration[];
}

/** A Store on IndexedDB; `name` and `version` say which database it is. */
export interface IdbStore extends Store {
  readonly name: string;
  readonly version: number;
}

/**
 * Open (creating or upgrading) a room database.
 * Rejects with StoreBlockedError when a tab holding an older version open refuses to let it upgrade.
 */
export async function openIdbStore(options: IdbSchemaOptions): Promise<IdbStore> {
  const env = (options.env ?? { indexedDB: globalThis.indexedDB, IDBKeyRange: globalThis.IDBKeyRange }) as { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange };
  const steps = options.migrations ?? defaultMigrations;
  const onError = options.onError ?? ((e: Error) => log('background error', e));
  let closed = false;

  const connect = async (): Promise<IDBPDatabase> => {
    const db = await openConnection(env.indexedDB, options.name, steps);
    const raw = unwrap(db);
    // Another tab wants to upgrade or delete the database: get out of its way at once (a connection that
    // stays open blocks it), then reopen; the reopen queues behind the other tab's upgrade.
    raw.onversionchange = () => {
      log('versionchange: closing and reopening', options.name);
      raw.close();
      if (!closed) reopen();
    };
    // The browser closed the connection itself (storage cleared, disk error).
    raw.onclose = () => {
      log('connection closed by the browser; reopening', options.name);
      if (!closed) reopen();
    };
    return db;
  };

  let current: Promise<IDBPDatabase> = connect();
  const reopen = (): void => {
    current = connect();
    current.catch((e: unknown) => onError(toStoreError(e)));
  };
  await current;

  const withDb = async <T>(fn: (db: IDBPDatabase) => Promise<T>): Promise<T> => {
    if (closed) throw new Error(`store ${options.name} is closed`);
    try {
      return await fn(await current);
    } catch (e) {
      throw toStoreError(e);
    }
  };

  const rangeOf = (prefix: string): IDBKeyRange | null => prefixRange(env.IDBKeyRange, prefix);

  return {
    name: options.name,
    version: steps.length,
    load: <T>(key: string) => withDb(async (db) => (await db.get(KV_STORE, key)) as T | undefined),
    save: (key, value) => withDb(async (db) => void (await db.put(KV_STORE, value, key))),
    remove: (key) => withDb(async (db) => db.delete(KV_STORE, key)),
    range: <T>(prefix: string) =>
      withDb(async (db) => {
        const tx = db.transaction(KV_STORE, 'readonly');
        const query = rangeOf(prefix);
        // Keys and values come back in the same (key) order within one transaction.
        const [keys, values] = await Promise.all([tx.store.getAllKeys(query), tx.store.getAll(query), tx.done]);
        return keys.map((k, i) => [k as string, values[i] as T] as const);
      }),
    batch: (ops: readonly StoreOp[]) =>
      withDb(async (db) => {
        if (ops.length === 0) return;
        const tx = db.transaction(KV_STORE, 'readwrite');
        // Raw requests: no promise per op, and a synchronous throw (DataCloneError) aborts the whole batch.
        // A merge reads inside the transaction (requests run in order, so it sees the ops before it) and the
        // transaction stays open across that read: no other connection writes in between.
        const kv = unwrap(tx.store);
        try {
          for (const op of ops) {
            if (op.type === 'merge') kv.put(op.merge(await tx.store.get(op.key)), op.key);
            else applyOp(kv, op, rangeOf);
          }
        } catch (e) {
          tx.abort();
          await tx.done.catch(() => undefined); // the abort itself is the expected outcome here
          throw e;
        }
        await tx.done;
      }),
    async close() {
      if (closed) return;
      closed = true;
      (await current.catch(() => null))?.close();
    },
  };
}

function applyOp(kv: IDBObjectStore, op: Exclude<StoreOp, { type: 'merge' }>, rangeOf: (prefix: string) => IDBKeyRange | null): void {
  switch (op.type) {
    case 'put':
      kv.put(op.value, op.key);
      return;
    case 'delete':
      kv.delete(op.key);
      return;
    case 'delete-prefix': {
      const range = rangeOf(op.prefix);
      if (range) kv.delete(range);
      else kv.clear();
      return;
    }
  }
}

/**
 * The key range holding exactly the strings that start with `prefix`: [prefix, successor) where the
 * successor increments the last code unit that can be incremented. null means "every key".
 */
export function prefixRange(ranges: typeof IDBKeyRange, prefix: string): IDBKeyRange | null {
  let stem = prefix;
  while (stem.length && stem.charCodeAt(stem.length - 1) === 0xffff) stem = stem.slice(0, -1);
  if (!stem.length) return prefix.length ? ranges.lowerBound(prefix) : null;
  const upper = stem.slice(0, -1) + String.fromCharCode(stem.charCodeAt(stem.length - 1) + 1);
  return ranges.bound(prefix, upper, false, true);
}

function openConnection(factory: IDBFactory, name: string, steps: readonly Migration[]): Promise<IDBPDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const request = factory.open(name, steps.length);
    request.onupgradeneeded = (event) => {
      const tx = request.transaction;
      if (!tx) throw new Error('upgradeneeded without a versionchange transaction');
      try {
        migrate(steps, request.result, tx, event.oldVersion, event.newVersion ?? steps.length);
      } catch (e) {
        // Aborting the versionchange transaction fails the open and keeps the old schema and data.
        log('migration failed', e);
        tx.abort();
      }
    };
    request.onblocked = (event) => {
      settled = true;
      reject(
        new StoreBlockedError(
          `database ${name} cannot be upgraded from version ${event.oldVersion} to ${event.newVersion ?? steps.length}: ` +
            'another tab keeps the old version open. Close or reload the other tabs of this app.',
        ),
      );
    };
    request.onsuccess = () => {
      // Unblocked after we gave up: the upgrade ran, but the caller already has its error; don't leak.
      if (settled) return request.result.close();
      settled = true;
      resolve(wrap(request.result));
    };
    request.onerror = () => {
      if (settled) return;
      settled = true;
      reject(toStoreError(request.error));
    };
  });
}
