// The IndexedDB adapter on fake-indexeddb (a fresh IDBFactory per case); the real IndexedDB runs the same
// suite in e2e/persist-store.spec.ts. `fake-indexeddb/auto` installs the IDB classes globally because the
// `idb` wrapper checks `instanceof IDBRequest` against globals.
import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { runStoreTests } from '../../src/store/acceptance';
import { toStoreError } from '../../src/store/errors';
import { openIdbStore, type IndexedDbEnv } from '../../src/store/idb';
import { KV_STORE, migrations, type Migration } from '../../src/store/migrations';
import { databaseNameFor } from '../../src/store/room-database';
import { StoreBlockedError, StoreQuotaError } from '../../src/store/store';

const freshEnv = () => ({ indexedDB: new IDBFactory(), IDBKeyRange }) satisfies IndexedDbEnv;

runStoreTests(
  'idb (fake-indexeddb)',
  () => {
    const env = freshEnv();
    return { open: () => openIdbStore({ name: 'room-test', env }) };
  },
  { describe, it },
);

describe('idb store: schema, tabs and errors', () => {
  it('names databases per room from a hash', async () => {
    const a = await databaseNameFor('room-a');
    expect(a).toMatch(/^kinetic-mesh\/[0-9a-f]{32}$/);
    expect(a).not.toContain('room-a');
    expect(await databaseNameFor('room-a')).toBe(a);
    expect(await databaseNameFor('room-b')).not.toBe(a);
  });

  it('migrates data forward when the schema version grows', async () => {
    const env = freshEnv();
    const v1 = await openIdbStore({ name: 'm', env });
    expect(v1.version).toBe(migrations.length);
    await v1.save('todo/1', 'buy milk');
    await v1.close();
    // A v2 that rewrites every value into an object: runs once, inside the upgrade transaction.
    const toV2: Migration = (_db, tx) => {
      const kv = tx.objectStore(KV_STORE);
      kv.openCursor().onsuccess = function () {
        const cursor = this.result;
        if (!cursor) return;
        cursor.update({ text: cursor.value as string });
        cursor.continue();
      };
    };
    const v2 = await openIdbStore({ name: 'm', env, migrations: [...migrations, toV2] });
    expect(v2.version).toBe(2);
    expect(await v2.load('todo/1')).toEqual({ text: 'buy milk' });
    await v2.close();
  });

  it('a failing migration keeps the old schema and data', async () => {
    const env = freshEnv();
    const v1 = await openIdbStore({ name: 'm', env });
    await v1.save('k', 1);
    await v1.close();
    const broken: Migration = () => {
      throw new Error('bad step');
    };
    await expect(openIdbStore({ name: 'm', env, migrations: [...migrations, broken] })).rejects.toThrow();
    const again = await openIdbStore({ name: 'm', env });
    expect(again.version).toBe(1);
    expect(await again.load('k')).toBe(1);
    await again.close();
  });

  it('surfaces a blocked upgrade as StoreBlockedError', async () => {
    const env = freshEnv();
    // An "old tab": a raw connection that ignores versionchange and keeps the database open.
    const old = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = env.indexedDB.open('b', 1);
      r.onupgradeneeded = () => r.result.createObjectStore(KV_STORE);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const noop: Migration = () => undefined;
    await expect(openIdbStore({ name: 'b', env, migrations: [...migrations, noop] })).rejects.toBeInstanceOf(StoreBlockedError);
    old.close();
  });

  it('a tab gets out of the way of an upgrade in another tab and reports that it is now too old', async () => {
    const env = freshEnv();
    const errors: Error[] = [];
    const oldTab = await openIdbStore({ name: 'u', env, onError: (e) => errors.push(e) });
    await oldTab.save('k', 'v');
    const noop: Migration = () => undefined;
    // Not blocked: the old tab closes on versionchange.
    const newTab = await openIdbStore({ name: 'u', env, migrations: [...migrations, noop] });
    expect(await newTab.load('k')).toBe('v');
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]?.name).toBe('VersionError');
    await expect(oldTab.load('k')).rejects.toThrow();
    await Promise.all([oldTab.close(), newTab.close()]);
  });

  it('reopens after the database is deleted by another tab and keeps working', async () => {
    const env = freshEnv();
    const tab = await openIdbStore({ name: 'd', env });
    await tab.save('k', 1);
    await new Promise<void>((resolve, reject) => {
      const r = env.indexedDB.deleteDatabase('d');
      r.onsuccess = () => resolve();
      r.onerror = () => reject(r.error);
    });
    expect(await tab.load('k')).toBeUndefined();
    await tab.save('k', 2);
    expect(await tab.load('k')).toBe(2);
    await tab.close();
  });

  it('quota failures become StoreQuotaError and reach the caller', async () => {
    const env = freshEnv();
    const store = await openIdbStore({ name: 'q', env });
    // Fault injection at the browser boundary: the object store refuses writes as a full disk would.
    const proto = (globalThis as unknown as { IDBObjectStore: { prototype: IDBObjectStore } }).IDBObjectStore.prototype;
    const put = proto.put;
    proto.put = function () {
      throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
    };
    try {
      await expect(store.batch([{ type: 'put', key: 'k', value: 1 }])).rejects.toBeInstanceOf(StoreQuotaError);
      await expect(store.save('k', 1)).rejects.toBeInstanceOf(StoreQuotaError);
    } finally {
      proto.put = put;
    }
    await store.save('k', 1);
    expect(await store.load('k')).toBe(1);
    await store.close();
  });

  it('maps error shapes', () => {
    expect(toStoreError(new DOMException('x', 'QuotaExceededError'))).toBeInstanceOf(StoreQuotaError);
    expect(toStoreError({ name: 'NS_ERROR_DOM_QUOTA_REACHED', message: 'full' })).toBeInstanceOf(StoreQuotaError);
    const other = toStoreError({ name: 'InvalidStateError', message: 'closed' });
    expect(other.name).toBe('InvalidStateError');
    expect(toStoreError('weird').message).toBe('weird');
  });
});
