// The Store port on disk for Node peers: LevelDB through `classic-level` (the Level project's LevelDB binding;
// its npm tarball carries prebuilt binaries for Linux, macOS and Windows, so it installs without a compiler
// or an install script). LevelDB gives what the port promises: atomic multi-key batches (a crash mid-batch
// leaves the previous state), sorted keys for `range`, and a lock file so two processes never open one folder.
// Values go through Node's structured-clone serializer (node:v8), the same value model as IndexedDB.
// Keys are stored as UTF-16BE so LevelDB's byte order is JavaScript's code-unit order.
import { ClassicLevel } from 'classic-level';
import { deserialize, serialize } from 'node:v8';
import { StoreQuotaError, type Store, type StoreOp } from '../store/store';

type Db = ClassicLevel<Uint8Array, Uint8Array>;

/** One database folder; `connect()` hands out Store connections that share it (like tabs sharing IndexedDB). */
export interface DiskDatabase {
  readonly dir: string;
  /** A new connection; the folder is opened by the first and closed when the last one closes. */
  connect(): Promise<Store>;
}

const encodeKey = (key: string): Uint8Array => Buffer.from(key, 'utf16le').swap16();
const decodeKey = (bytes: Uint8Array): string => Buffer.from(bytes).swap16().toString('utf16le');
const startsWith = (bytes: Uint8Array, prefix: Uint8Array): boolean => bytes.length >= prefix.length && Buffer.from(bytes.buffer, bytes.byteOffset, prefix.length).equals(prefix);

/** Open or create the database in `dir`, as one connection. */
export async function openDiskStore(dir: string): Promise<Store> {
  return createDiskDatabase(dir).connect();
}

export function createDiskDatabase(dir: string): DiskDatabase {
  let db: Db | null = null;
  let opening: Promise<Db> | null = null;
  let connections = 0;
  // One queue for every operation of every connection: a prefix delete reads its keys and writes in one
  // step, so no other write may slip in between.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const open = async (): Promise<Db> => {
    if (db) return db;
    opening ??= (async () => {
      const level: Db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      try {
        await level.open();
      } catch (e) {
        opening = null;
        throw describeOpenError(dir, e);
      }
      db = level;
      return level;
    })();
    return opening;
  };

  const keysWith = async (level: Db, prefix: string): Promise<Uint8Array[]> => {
    const p = encodeKey(prefix);
    const keys: Uint8Array[] = [];
    for await (const key of level.keys({ gte: p })) {
      if (!startsWith(key, p)) break;
      keys.push(key);
    }
    return keys;
  };

  return {
    dir,
    async connect() {
      await open();
      connections++;
      let closed = false;
      const live = (): Db => {
        if (closed || !db) throw new Error(`disk store ${dir}: this connection is closed`);
        return db;
      };
      const run = <T>(work: (level: Db) => Promise<T>): Promise<T> => serial(async () => work(live())).catch((e: unknown) => Promise.reject(toDiskError(e)));
      return {
        load: <T>(key: string) =>
          run(async (level) => {
            const bytes = await level.get(encodeKey(key));
            return bytes === undefined ? undefined : (deserialize(bytes) as T);
          }),
        save: (key, value) => run((level) => level.put(encodeKey(key), serialize(value))),
        remove: (key) => run((level) => level.del(encodeKey(key))),
        range: <T>(prefix: string) =>
          run(async (level) => {
            const p = encodeKey(prefix);
            const out: Array<readonly [string, T]> = [];
            for await (const [key, value] of level.iterator({ gte: p })) {
              if (!startsWith(key, p)) break;
              out.push([decodeKey(key), deserialize(value) as T]);
            }
            return out;
          }),
        batch: (ops: readonly StoreOp[]) =>
          run(async (level) => {
            // Everything is encoded before anything is written: a value that cannot be stored (or a merge
            // that throws) rejects the whole batch with nothing applied. The queue is shared by every
            // connection and LevelDB's lock keeps other processes out, so a merge's read-modify-write is atomic.
            const writes: Write[] = [];
            for (const op of ops) {
              if (op.type === 'put') writes.push({ type: 'put', key: encodeKey(op.key), value: serialize(op.value) });
              else if (op.type === 'delete') writes.push({ type: 'del', key: encodeKey(op.key) });
              else if (op.type === 'merge') writes.push({ type: 'put', key: encodeKey(op.key), value: serialize(op.merge(await staged(level, writes, op.key))) });
              else for (const key of await keysWith(level, op.prefix)) writes.push({ type: 'del', key });
            }
            if (writes.length) await level.batch(writes);
          }),
        async close() {
          if (closed) return;
          closed = true;
          connections--;
          if (connections > 0) return;
          // The last connection: wait for queued work, then close the folder (a later connect reopens it).
          await serial(async () => {
            const level = db;
            db = null;
            opening = null;
            await level?.close();
          });
        },
      };
    },
  };
}

type Write = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** The value at `key` once the writes prepared so far in this batch apply (the latest one touching it decides). */
async function staged(level: Db, writes: readonly Write[], key: string): Promise<unknown> {
  const k = encodeKey(key);
  for (let i = writes.length - 1; i >= 0; i--) {
    const w = writes[i] as Write;
    if (Buffer.from(w.key).equals(k)) return w.type === 'put' ? deserialize(w.value) : undefined;
  }
  const bytes = await level.get(k);
  return bytes === undefined ? undefined : deserialize(bytes);
}

function describeOpenError(dir: string, e: unknown): Error {
  const cause = (e as { cause?: { message?: string } }).cause?.message ?? '';
  if (/lock/i.test(cause) || (e as { code?: string }).code === 'LEVEL_LOCKED') {
    return new Error(`disk store ${dir} is in use by another process (one peer per data folder)`, { cause: e });
  }
  return new Error(`disk store ${dir} could not be opened: ${e instanceof Error ? e.message : String(e)}${cause ? ` (${cause})` : ''}`, { cause: e });
}

function toDiskError(e: unknown): Error {
  const text = `${e instanceof Error ? e.message : String(e)} ${(e as { cause?: { message?: string } }).cause?.message ?? ''}`;
  if (/no space left|ENOSPC|disk quota/i.test(text)) return new StoreQuotaError(`disk full: ${text.trim()}`, { cause: e });
  return e instanceof Error ? e : new Error(String(e));
}
