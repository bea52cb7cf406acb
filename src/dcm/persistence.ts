// How a peer's replica, log, promise and outbox sit in the Store. Writes go through one chain so they reach
// the store in the order the protocol made them: an acknowledgement is only sent after its write resolved.
// Fail-stop: once a write fails, no later write runs (each rejects with the first failure) and `meta` — what
// the store durably holds — never moves past the failed write; the room stops (room.ts `halt`).
//
// The meta record only moves forward: it is merged inside each batch's transaction with what the store
// holds (a second tab of this identity writes it too), never overwritten from this process's memory. A batch
// that writes the log under a ballot older than the one the store holds is refused (see mergeMeta).
//
//   dcm/meta                 { promised, promisedOwner, commitIndex, source, nextSeqLimit, genesis }
//   dcm/snapshot             Snapshot (the state at the log's base)
//   dcm/log/<index, 12 wide> Entry[]: a run of entries from that index on (log-runs.ts; older stores: one Entry)
//   dcm/outbox/<source>/<seq, 12 wide> OutboxItem (stores written before sources were per process: dcm/outbox/<seq>)
import { NO_EPOCH, type Epoch } from '../core/ids';
import type { Store, StoreOp } from '../store/store';
import { emptySnapshot, type Entry, type Snapshot } from './entries';
import { LOG_PREFIX, logKey, readRuns, type StoredLog, type StoredRuns } from './log-runs';

export interface Meta {
  /** Highest epoch this peer promised to (Paxos acceptor state: must survive restarts). */
  readonly promised: Epoch;
  /**
   * Whose ballot `promised` is: the candidate's peer id + process incarnation. An epoch number promised to
   * one owner is refused to every other (two candidates handed one number never both get a majority).
   */
  readonly promisedOwner?: string;
  readonly commitIndex: number;
  /** This store's outbox identity (peer id + incarnation): seqs are never reused under it. */
  readonly source: string;
  /** Seqs below this may have been handed out; a restart continues from here (block allocation). */
  readonly nextSeqLimit: number;
  /** The genesis id of the room history this store holds (genesis.ts); set once, never changed. */
  readonly genesis?: string;
  /**
   * Counts the batches that wrote the log (entries, snapshot). A process that finds it moved past the last
   * value it knows (its load, its own last log write) shares the store with a sibling that wrote the log
   * meanwhile: its log in memory is stale, so it must not write the log nor answer with its position.
   */
  readonly logVersion?: number;
}

export interface OutboxItem {
  /** The outbox source of the process that made it; absent in older stores (then: meta.source). */
  readonly source?: string;
  readonly seq: number;
  readonly reactor: string;
  readonly name: string;
  readonly value: unknown;
}

export interface Loaded {
  readonly meta: Meta | undefined;
  readonly snapshot: Snapshot;
  readonly entries: readonly Entry[];
  /** How the store holds the log (StoredRuns.seed). */
  readonly runs: Pick<StoredLog, 'runs' | 'stale'>;
  readonly outbox: readonly OutboxItem[];
}

/** Thrown inside a batch (aborting it) that would write the log under a ballot the store has moved past. */
export class StaleBallotError extends Error {
  override readonly name = 'StaleBallotError';
}

/** Thrown inside a batch (aborting it) when the store's log moved since this process last read or wrote it. */
export class StaleLogError extends Error {
  override readonly name = 'StaleLogError';
}

/** What a batch expects of the store: the log version this process knows, and whether it makes a promise. */
export interface LogExpectation {
  readonly logVersion: number;
  readonly promising: boolean;
}

/** The ballot `a` is behind `b`: an older epoch, or the same epoch promised to another owner. */
const behind = (a: Meta, b: Meta, bare = false): boolean => a.promised < b.promised || (!bare && a.promised === b.promised && (a.promisedOwner ?? '') !== (b.promisedOwner ?? ''));

/**
 * The meta record a write leaves when the store holds `stored` and this process writes `mine`: every field
 * moves forward only. The promise is the higher ballot (at one epoch, the one stored first: one number is
 * promised to one owner); commit index and seq reservation the larger; the legacy source the stored one.
 * With `logged` (the batch writes log entries or a snapshot) a store promised past `mine` refuses the batch:
 * another process of this peer promised a newer ballot, and entries of an older one must not land under it.
 */
export function mergeMeta(stored: Meta | undefined, mine: Meta, logged: boolean, expect?: LogExpectation, bareEpochs = false): Meta {
  if (!stored) return logged ? { ...mine, logVersion: (expect?.logVersion ?? 0) + 1 } : mine;
  if (logged && behind(mine, stored, bareEpochs)) {
    throw new StaleBallotError(`the store holds a promise of epoch ${stored.promised} (${stored.promisedOwner ?? '?'}) past this process's ${mine.promised} (${mine.promisedOwner ?? '?'}): another process of this peer moved on`);
  }
  // A promise answers with our log position, a log write extends our log: both need our log to be the store's.
  if (expect && (logged || expect.promising) && (stored.logVersion ?? 0) !== expect.logVersion) {
    throw new StaleLogError(`the store's log was written by another process of this peer (version ${stored.logVersion ?? 0}, this process knows ${expect.logVersion}): this one stops (reload)`);
  }
  // The history's name is set once (genesis.ts): entries of another history never land in this store.
  if (logged && stored.genesis && mine.genesis && stored.genesis !== mine.genesis) {
    throw new StaleBallotError(`the store holds history ${stored.genesis}, this process ${mine.genesis}: another process of this peer joined another history`);
  }
  // (`bareEpochs`: the mutation test's ballots without owners — a later promise of one number replaces the first.)
  const promise = mine.promised > stored.promised || (bareEpochs && mine.promised === stored.promised) ? mine : stored;
  // Built in place (one copy per write: this runs for every batch that moves the commit index); fields
  // this version does not know (a newer tab's) are carried along by the spreads.
  const merged: Mutable<Meta> = { ...stored, ...mine };
  merged.promised = promise.promised;
  merged.commitIndex = Math.max(stored.commitIndex, mine.commitIndex);
  merged.source = stored.source || mine.source;
  merged.nextSeqLimit = Math.max(stored.nextSeqLimit, mine.nextSeqLimit);
  const genesis = stored.genesis ?? mine.genesis;
  if (genesis) merged.genesis = genesis;
  merged.logVersion = (stored.logVersion ?? 0) + (logged ? 1 : 0);
  if (promise.promisedOwner !== undefined) merged.promisedOwner = promise.promisedOwner;
  else if (merged.promisedOwner !== undefined) {
    const { promisedOwner: _other, ...rest } = merged; // the promise has no owner: neither has the record
    return rest;
  }
  return merged;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The record once the commit index moved to `commitIndex` (what mergeMeta makes of it, without its work). */
const withCommitIndex = (meta: Meta, commitIndex: number): Meta => (commitIndex > meta.commitIndex ? { ...meta, commitIndex } : meta);

const pad = (n: number): string => String(n).padStart(12, '0');
export { logKey };
const outboxKey = (item: OutboxItem): string => (item.source ? `dcm/outbox/${item.source}/${pad(item.seq)}` : `dcm/outbox/${pad(item.seq)}`);
const META = 'dcm/meta';
const SNAPSHOT = 'dcm/snapshot';

interface WriteGroup {
  readonly ops: StoreOp[];
  /** This process's meta record to merge in (set when the group changes meta or writes the log). */
  meta: Meta | null;
  /** The group writes log entries or a snapshot: it must not land under a newer promise (mergeMeta). */
  logged: boolean;
  /** The group writes a promise (its answer will report our log position). */
  promising: boolean;
  /** The merged record the store kept (set inside the transaction; trusted once the batch resolved). */
  landed: Meta | null;
  done: Promise<void>;
}

/** A meta change that only moves the commit index (every commitTo): no merge needed to queue it. */
const onlyCommitIndex = (meta: Partial<Meta>): meta is { commitIndex: number } => meta.commitIndex !== undefined && Object.keys(meta).length === 1;

const writesLog = (op: StoreOp): boolean => (op.type === 'delete-prefix' ? op.prefix : op.key).startsWith(LOG_PREFIX) || (op.type !== 'delete-prefix' && op.key === SNAPSHOT);

export class Persistence {
  readonly #store: Store;
  readonly #onError: (e: Error) => void;
  /** Mutation test only: the chain goes on after a failed write (the durable mark may pass it). */
  readonly #continueAfterFailure: boolean;
  readonly #bareEpochs: boolean;
  #chain: Promise<void> = Promise.resolve();
  #last: Promise<void> = Promise.resolve();
  /** What the store durably holds (updated when a write lands). */
  #meta: Meta = { promised: NO_EPOCH, commitIndex: 0, source: '', nextSeqLimit: 0 };
  /** What the store will hold once every queued write landed. */
  #queued: Meta = this.#meta;
  /** The store's log version as of our load or our own last log write (see Meta.logVersion). */
  #logVersion = 0;
  #failed: Error | null = null;

  /** `bareEpochs`: mutation test only (faults.trustServerEpochs): a ballot is its number, owners are not kept apart. */
  constructor(store: Store, onError: (e: Error) => void, continueAfterFailure = false, bareEpochs = false) {
    this.#store = store;
    this.#onError = onError;
    this.#continueAfterFailure = continueAfterFailure;
    this.#bareEpochs = bareEpochs;
  }

  /** The meta record as durably stored: a promise counts only from here. */
  get meta(): Meta {
    return this.#meta;
  }

  /** The meta record including writes still in flight (block reservations look here to avoid reserving twice). */
  get queued(): Meta {
    return this.#queued;
  }

  /** The write failure that stopped this store's chain, if any. */
  get failed(): Error | null {
    return this.#failed;
  }

  /** Mutation test only (promise counted before its write): treat `meta` as durable now. */
  assumeDurable(meta: Partial<Meta>): void {
    this.#meta = { ...this.#meta, ...meta };
  }

  async load(): Promise<Loaded> {
    const [meta, snapshot, log, outbox] = await Promise.all([
      this.#store.load<Meta>(META),
      this.#store.load<Snapshot>(SNAPSHOT),
      this.#store.range<unknown>(LOG_PREFIX),
      this.#store.range<OutboxItem>('dcm/outbox/'),
    ]);
    if (meta) this.#meta = this.#queued = meta;
    this.#logVersion = meta?.logVersion ?? 0;
    // Entries must be contiguous after the snapshot; anything else is a torn compaction's leftover.
    const stored = readRuns(snapshot?.index ?? 0, log);
    return { meta, snapshot: snapshot ?? emptySnapshot, entries: stored.entries, runs: stored, outbox: outbox.map(([, v]) => v) };
  }

  /**
   * Queue one atomic batch; resolves when it is durable. Failures reject (the caller must not acknowledge),
   * and so does every write queued after a failure. Group commit: writes queued while the previous batch is
   * in flight land together as one store batch (in order), so a slow store does not grow a queue of them.
   */
  write(ops: StoreOp[], meta?: Partial<Meta>): Promise<void> {
    if (this.#failed && !this.#continueAfterFailure) return Promise.reject(this.#failed);
    // Forward only here too: a promise queued behind a higher one in flight does not lower the record.
    if (meta) this.#queued = onlyCommitIndex(meta) ? withCommitIndex(this.#queued, meta.commitIndex) : mergeMeta(this.#queued, { ...this.#queued, ...meta }, false, undefined, this.#bareEpochs);
    const g = this.#group ?? this.#openGroup();
    for (const op of ops) g.ops.push(op);
    g.logged ||= ops.some(writesLog);
    g.promising ||= meta?.promised !== undefined;
    if (meta || g.logged) g.meta = this.#queued;
    return g.done;
  }

  #group: WriteGroup | null = null;

  #openGroup(): WriteGroup {
    const g: WriteGroup = { ops: [], meta: null, logged: false, promising: false, landed: null, done: Promise.resolve() };
    this.#group = g;
    const run = this.#chain.then(() => {
      if (this.#group === g) this.#group = null; // later writes form the next group
      if (this.#failed && !this.#continueAfterFailure) throw this.#failed;
      const mine = g.meta;
      if (!mine) return this.#store.batch(g.ops);
      // `frozen`: mergeMeta never mutates the record it is given, and the one it returns is only read (this.#meta).
      g.ops.push({ type: 'merge', key: META, frozen: true, merge: (stored) => (g.landed = mergeMeta(stored as Meta | undefined, mine, g.logged, { logVersion: this.#logVersion, promising: g.promising }, this.#bareEpochs)) });
      return this.#store.batch(g.ops);
    });
    g.done = run.then(() => {
      const landed = g.landed;
      if (!landed) return;
      // What the store holds now, which may include another process's newer promise: we honour it too.
      this.#meta = landed;
      if (g.logged) this.#logVersion = landed.logVersion ?? 0;
      if (behind(this.#queued, landed, this.#bareEpochs)) this.#queued = mergeMeta(landed, this.#queued, false, undefined, this.#bareEpochs);
    });
    this.#chain = g.done.catch((e: unknown) => {
      if (this.#failed) return;
      this.#failed = e instanceof Error ? e : new Error(String(e));
      this.#onError(this.#failed);
      if (this.#continueAfterFailure) this.#failed = null;
    });
    this.#last = g.done;
    return g;
  }

  /** Resolves once every write queued so far has run (rejects when the last one failed). */
  settled(): Promise<void> {
    return this.#last;
  }

  /** Ops that replace the stored log from `from` on with `entries` (immutable: the log, the replica and every message share them). */
  static entryOps(from: number, entries: readonly Entry[], runs: StoredRuns): StoreOp[] {
    return runs.replace(from, entries);
  }

  /** Ops that make `snapshot` (fresh arrays of immutable log data: `frozen`) the new base and drop the log it covers (all of it: `dropAll`). */
  static snapshotOps(snapshot: Snapshot, runs: StoredRuns, dropAll = false): StoreOp[] {
    const ops: StoreOp[] = [{ type: 'put', key: SNAPSHOT, value: snapshot, frozen: true }];
    if (dropAll) {
      ops.push({ type: 'delete-prefix', prefix: LOG_PREFIX });
      runs.clear(snapshot.index);
    } else ops.push(...runs.dropThrough(snapshot.index));
    return ops;
  }

  static outboxPut(item: OutboxItem): StoreOp {
    return { type: 'put', key: outboxKey(item), value: item };
  }
  static outboxDelete(item: OutboxItem): StoreOp {
    return { type: 'delete', key: outboxKey(item) };
  }
}
