// Store experiments on the real IndexedDB for the lab page: the acceptance suite, a writer that is killed
// mid-write, its consistency check, and write throughput.
import { runStoreCases } from '../src/store/acceptance';
import { openIdbStore } from '../src/store/idb';
import type { Store } from '../src/store/store';

const deleteDatabase = (name: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
    r.onblocked = () => resolve(); // a connection still closing; the delete completes after it
  });

let suiteRuns = 0;

/** The Store acceptance suite against this browser's IndexedDB. */
export function storeSuite(): Promise<Array<{ name: string; error: string | null }>> {
  return runStoreCases(async () => {
    const name = `lab-suite-${Date.now()}-${suiteRuns++}`;
    return { open: () => openIdbStore({ name }), destroy: () => deleteDatabase(name) };
  });
}

/** Keys one generation of the torn-write experiment writes: all must hold the same generation. */
const KEYS = 50;

/**
 * Write generations forever (until the page dies): each batch puts `KEYS` keys with generation g, some of
 * them large so a batch takes a while to commit and the kill lands mid-transaction.
 */
export async function startWriter(name: string): Promise<void> {
  const store = await openIdbStore({ name });
  const big = 'x'.repeat(64 * 1024);
  (globalThis as { writerGenerations?: number }).writerGenerations = 0;
  void (async () => {
    for (let g = 1; ; g++) {
      await store.batch(Array.from({ length: KEYS }, (_, i) => ({ type: 'put', key: `w/${String(i).padStart(3, '0')}`, value: { g, pad: i % 5 === 0 ? big : '' } }) as const));
      (globalThis as { writerGenerations?: number }).writerGenerations = g;
    }
  })();
}

/** After a kill: every key holds one and the same generation (no torn batch). */
export async function checkWriter(name: string): Promise<{ keys: number; generations: number[] }> {
  const store = await openIdbStore({ name });
  const entries = await store.range<{ g: number }>('w/');
  await store.close();
  return { keys: entries.length, generations: [...new Set(entries.map(([, v]) => v.g))] };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Writes per second: single saves pipelined, single saves one after another, and batches of 100. */
export async function storeWriteRate(n = 2000): Promise<{ pipelined: number; sequential: number; batched: number }> {
  const name = `lab-writes-${Date.now()}`;
  const store: Store = await openIdbStore({ name });
  const value = (i: number) => ({ id: `m${i}`, name: 'item', value: { text: `todo ${i}`, done: false, at: i } });
  const pipelinedMs = await timed(async () => {
    await Promise.all(Array.from({ length: n }, (_, i) => store.save(`p/${i}`, value(i))));
  });
  const seqN = Math.min(n, 500);
  const sequentialMs = await timed(async () => {
    for (let i = 0; i < seqN; i++) await store.save(`s/${i}`, value(i));
  });
  const batchedMs = await timed(async () => {
    for (let b = 0; b < n / 100; b++) await store.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put', key: `b/${b}/${i}`, value: value(i) }) as const));
  });
  await store.close();
  await deleteDatabase(name);
  return { pipelined: (n / pipelinedMs) * 1000, sequential: (seqN / sequentialMs) * 1000, batched: (n / batchedMs) * 1000 };
}

export { deleteDatabase };

/**
 * Fill a fresh database until the browser refuses (run it under a small quota): the failure must arrive
 * as StoreQuotaError, the refused batch must leave nothing behind, and what was written before stays.
 */
export async function storeUntilQuota(): Promise<{ error: string; writtenBatches: number; keysAfter: number; readable: boolean; quota: number }> {
  const name = `lab-quota-${Date.now()}`;
  const store = await openIdbStore({ name });
  // Random bytes: the browser compresses stored values, so a pattern would barely count against the quota.
  const chunk = new Uint8Array(256 * 1024);
  for (let i = 0; i < chunk.length; i += 65536) crypto.getRandomValues(chunk.subarray(i, i + 65536));
  let written = 0;
  let error = 'no error';
  for (let b = 0; b < 400; b++) {
    try {
      await store.batch(Array.from({ length: 4 }, (_, i) => ({ type: 'put', key: `q/${String(b).padStart(4, '0')}/${i}`, value: chunk }) as const));
      written++;
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      break;
    }
  }
  const keys = (await store.range('q/')).length;
  const first = await store.load<Uint8Array>('q/0000/0');
  await store.close();
  await deleteDatabase(name);
  const quota = (await navigator.storage.estimate()).quota ?? NaN;
  return { error, writtenBatches: written, keysAfter: keys, readable: first?.length === chunk.length, quota };
}
