// How a peer's replica, log, promise and outbox sit in the Store. Writes go through one chain so they reach
// the store in the order the protocol made them: an acknowledgement is only sent after its write resolved.
//
//   dcm/meta                 { promised, commitIndex, source, nextSeqLimit }
//   dcm/snapshot             Snapshot (the state at the log's base)
//   dcm/log/<index, 12 wide> Entry
//   dcm/outbox/<seq, 12 wide> OutboxItem
import type { Store, StoreOp } from '../store/store';
import { emptySnapshot, type Entry, type Snapshot } from './entries';

export interface Meta {
  /** Highest epoch this peer promised to (Paxos acceptor state: must survive restarts). */
  readonly promised: number;
  readonly commitIndex: number;
  /** This store's outbox identity (peer id + incarnation): seqs are never reused under it. */
  readonly source: string;
  /** Seqs below this may have been handed out; a restart continues from here (block allocation). */
  readonly nextSeqLimit: number;
}

export interface OutboxItem {
  readonly seq: number;
  readonly reactor: string;
  readonly name: string;
  readonly value: unknown;
}

export interface Loaded {
  readonly meta: Meta | undefined;
  readonly snapshot: Snapshot;
  readonly entries: readonly Entry[];
  readonly outbox: readonly OutboxItem[];
}

const pad = (n: number): string => String(n).padStart(12, '0');
export const logKey = (index: number): string => `dcm/log/${pad(index)}`;
const outboxKey = (seq: number): string => `dcm/outbox/${pad(seq)}`;
const META = 'dcm/meta';
const SNAPSHOT = 'dcm/snapshot';

export class Persistence {
  readonly #store: Store;
  readonly #onError: (e: Error) => void;
  #chain: Promise<void> = Promise.resolve();
  #last: Promise<void> = Promise.resolve();
  #meta: Meta = { promised: 0, commitIndex: 0, source: '', nextSeqLimit: 0 };

  constructor(store: Store, onError: (e: Error) => void) {
    this.#store = store;
    this.#onError = onError;
  }

  get meta(): Meta {
    return this.#meta;
  }

  async load(): Promise<Loaded> {
    const [meta, snapshot, log, outbox] = await Promise.all([
      this.#store.load<Meta>(META),
      this.#store.load<Snapshot>(SNAPSHOT),
      this.#store.range<Entry>('dcm/log/'),
      this.#store.range<OutboxItem>('dcm/outbox/'),
    ]);
    if (meta) this.#meta = meta;
    const base = snapshot?.index ?? 0;
    // Entries must be contiguous after the snapshot; anything else is a torn compaction's leftover.
    const entries: Entry[] = [];
    for (const [key, e] of log) {
      const index = Number(key.slice('dcm/log/'.length));
      if (index <= base) continue;
      if (index !== base + entries.length + 1) break;
      entries.push(e);
    }
    return { meta, snapshot: snapshot ?? emptySnapshot, entries, outbox: outbox.map(([, v]) => v) };
  }

  /** Queue one atomic batch; resolves when it is durable. Failures reject (the caller must not acknowledge). */
  write(ops: StoreOp[], meta?: Partial<Meta>): Promise<void> {
    if (meta) {
      this.#meta = { ...this.#meta, ...meta };
      ops.push({ type: 'put', key: META, value: this.#meta });
    }
    const run = this.#chain.then(() => this.#store.batch(ops));
    this.#chain = run.catch((e: unknown) => this.#onError(e instanceof Error ? e : new Error(String(e))));
    this.#last = run;
    return run;
  }

  /** Resolves once every write queued so far has run (rejects when the last one failed). */
  settled(): Promise<void> {
    return this.#last;
  }

  /** Ops that replace log entries from `from` (old entries up to `oldLast` deleted) with `entries`. */
  static entryOps(from: number, oldLast: number, entries: readonly Entry[]): StoreOp[] {
    const ops: StoreOp[] = [];
    for (let i = from + entries.length; i <= oldLast; i++) ops.push({ type: 'delete', key: logKey(i) });
    entries.forEach((e, k) => ops.push({ type: 'put', key: logKey(from + k), value: e }));
    return ops;
  }

  /** Ops that make `snapshot` the new base and delete log keys in (oldBase, snapshot.index]. */
  static snapshotOps(snapshot: Snapshot, oldBase: number, dropAll = false): StoreOp[] {
    const ops: StoreOp[] = [{ type: 'put', key: SNAPSHOT, value: snapshot }];
    if (dropAll) ops.push({ type: 'delete-prefix', prefix: 'dcm/log/' });
    else for (let i = oldBase + 1; i <= snapshot.index; i++) ops.push({ type: 'delete', key: logKey(i) });
    return ops;
  }

  static outboxPut(item: OutboxItem): StoreOp {
    return { type: 'put', key: outboxKey(item.seq), value: item };
  }
  static outboxDelete(seq: number): StoreOp {
    return { type: 'delete', key: outboxKey(seq) };
  }
}
