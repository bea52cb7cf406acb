// The log + replica + their persistence, with the Raft rules every role shares: appending (sequencer),
// accepting appends after a consistency check (replica), installing snapshots (late joiners), applying the
// committed prefix in order, and compacting it into a snapshot so start-up does not grow with history.
import { type Epoch, NO_EPOCH } from '../core/ids';
import type { Entry, Snapshot } from './entries';
import { OperationLog } from './log';
import { StoredRuns, type StoredLog } from './log-runs';
import { Persistence } from './persistence';
import { Replica, type AppliedEntry } from './replica';

export interface AcceptResult {
  readonly ok: boolean;
  /** Last index known to match the sender's log (valid when ok). */
  readonly matchIndex: number;
  /** Where the sender should resume when !ok: the committed prefix always matches. */
  readonly hint: number;
  readonly durable: Promise<void>;
}

export interface ReplicatedLogOptions {
  readonly persistence: Persistence;
  /** Compact once this many committed entries sit above the snapshot. */
  readonly compactEvery: number;
  readonly onApplied: (applied: AppliedEntry) => void;
  /** Entries joined the uncommitted tail (`truncated`: part of it was cut first): availability changed. */
  readonly onTail: (entries: readonly Entry[], truncated: boolean) => void;
  /** A snapshot replaced the committed state: effects of the entries it folded in were never applied one by one. */
  readonly onInstalled: () => void;
  /** The sender's log holds a different entry where ours is committed or has the same epoch: histories diverged. */
  readonly onDiverged: (index: number, detail: string) => void;
  /** The `keepCutRuns` mutation (ProtocolFaults): tests only. */
  readonly keepCutRuns?: boolean;
}

/** What identifies an entry's content (cheap: no hashing): two entries at one index must agree on it. */
export function entryIdentity(e: Entry): string {
  switch (e.type) {
    case 'term':
      return `term ${e.epoch} ${e.leader}${e.genesis ? ` ${e.genesis}` : ''}`;
    case 'config':
      return `config ${e.epoch} ${e.members.join(',')}`;
    case 'emit':
      return `emit ${e.epoch} ${e.source}#${e.seq} ${e.molecule.id}`;
    case 'commit':
      return `commit ${e.epoch} ${e.claimId} ${e.holder} ${e.consumed.join(',')}`;
  }
}

export class ReplicatedLog {
  readonly log = new OperationLog();
  readonly replica = new Replica();
  #commitIndex = 0;
  readonly #o: ReplicatedLogOptions;
  /** How the store holds the log (runs of entries, log-runs.ts). */
  readonly #runs: StoredRuns;

  constructor(options: ReplicatedLogOptions) {
    this.#o = options;
    this.#runs = new StoredRuns(options.keepCutRuns);
  }

  get commitIndex(): number {
    return this.#commitIndex;
  }

  /** Restore from the store: the snapshot, then the log (held as `runs`), then re-apply what was known committed. */
  restore(snapshot: Snapshot, entries: readonly Entry[], commitIndex: number, runs?: Pick<StoredLog, 'runs' | 'stale'>): void {
    if (runs) this.#runs.seed(runs, snapshot.index);
    this.replica.restore(snapshot);
    this.log.reset(snapshot.index, snapshot.epoch, entries);
    this.#commitIndex = snapshot.index;
    this.#rebuildTail();
    this.commitTo(commitIndex);
  }

  /** Sequencer: append at the end. */
  append(entries: readonly Entry[]): Promise<void> {
    const from = this.log.lastIndex + 1;
    this.log.append(entries);
    for (let k = 0; k < entries.length; k++) this.replica.appendTail(from + k, entries[k] as Entry);
    this.#o.onTail(entries, false);
    return this.#o.persistence.write(Persistence.entryOps(from, entries, this.#runs));
  }

  /** Replica: Raft AppendEntries. Entries that match are skipped, a conflicting uncommitted suffix is cut. */
  accept(prevIndex: number, prevEpoch: Epoch, entries: readonly Entry[], exact = false): AcceptResult {
    const p = this.#o.persistence;
    const resume = this.#commitIndex + 1;
    // Entries at or below the committed prefix are already here: skip them, after checking they are ours.
    let skip = 0;
    while (prevIndex + skip < this.#commitIndex && skip < entries.length) {
      const diverged = this.#differs(prevIndex + skip + 1, entries[skip]);
      if (diverged) return diverged;
      skip++;
    }
    if (skip > 0) {
      prevEpoch = entries[skip - 1]?.epoch ?? prevEpoch;
      prevIndex += skip;
      entries = entries.slice(skip);
    }
    const mine = this.log.epochAt(prevIndex);
    if (prevIndex > this.#commitIndex && mine !== prevEpoch) {
      return { ok: false, matchIndex: 0, hint: Math.min(resume, this.log.lastIndex + 1), durable: Promise.resolve() };
    }
    let k = 0;
    while (k < entries.length && this.log.epochAt(prevIndex + 1 + k) === entries[k]?.epoch) {
      // Same index and epoch must mean the same entry (one sequencer per ballot): compare what it says.
      const diverged = this.#differs(prevIndex + 1 + k, entries[k]);
      if (diverged) return diverged;
      k++;
    }
    const from = prevIndex + 1 + k;
    const rest = k === 0 ? entries : entries.slice(k);
    const oldLast = this.log.lastIndex;
    // `exact`: the sender's log is the one to adopt whole, so an extra (uncommitted) suffix here goes too.
    const cut = (rest.length > 0 && from <= oldLast) || (exact && rest.length === 0 && from <= oldLast && from > this.#commitIndex);
    if (cut) {
      if (from <= this.#commitIndex) throw new Error(`replica: conflict at committed index ${from}`);
      this.log.truncateFrom(from);
    }
    this.log.append(rest);
    if (cut) this.#rebuildTail();
    else for (let i = 0; i < rest.length; i++) this.replica.appendTail(from + i, rest[i] as Entry);
    if (cut || rest.length > 0) this.#o.onTail(rest, cut);
    // Nothing new to write: the entries are those of an earlier append, durable once its write is.
    const durable = cut || rest.length > 0 ? p.write(Persistence.entryOps(from, rest, this.#runs)) : p.settled();
    return { ok: true, matchIndex: prevIndex + entries.length, hint: 0, durable };
  }

  /** A failed accept when `theirs` is not the entry we hold at `index` (nothing to compare when compacted). */
  #differs(index: number, theirs: Entry | undefined): AcceptResult | null {
    const mine = this.log.entry(index);
    if (!mine || !theirs) return null;
    const a = entryIdentity(mine);
    const b = entryIdentity(theirs);
    if (a === b) return null;
    this.#o.onDiverged(index, `ours ${a}, theirs ${b}`);
    const durable = Promise.reject(new Error(`replica: diverged at index ${index}`));
    durable.catch(() => undefined);
    return { ok: false, matchIndex: 0, hint: 0, durable };
  }

  /** Replica far behind: replace everything with the sender's snapshot and tail. */
  install(snapshot: Snapshot, entries: readonly Entry[]): AcceptResult {
    if (snapshot.index <= this.#commitIndex) {
      // We already have that state; treat the entries as an ordinary append after it.
      const tail = entries.slice(this.#commitIndex - snapshot.index);
      return this.accept(this.#commitIndex, this.log.epochAt(this.#commitIndex) ?? NO_EPOCH, tail);
    }
    this.replica.restore(snapshot);
    this.log.reset(snapshot.index, snapshot.epoch, entries);
    this.#commitIndex = snapshot.index;
    this.#rebuildTail();
    this.#o.onInstalled();
    this.#o.onTail(entries, true);
    const ops = [...Persistence.snapshotOps(snapshot, this.#runs, true), ...Persistence.entryOps(snapshot.index + 1, entries, this.#runs)];
    const durable = this.#o.persistence.write(ops, { commitIndex: snapshot.index });
    return { ok: true, matchIndex: snapshot.index + entries.length, hint: 0, durable };
  }

  /** Apply committed entries up to `index` (clipped to the log), in order, exactly once each. */
  commitTo(index: number): void {
    const to = Math.min(index, this.log.lastIndex);
    if (to <= this.#commitIndex) return;
    for (let i = this.#commitIndex + 1; i <= to; i++) {
      const entry = this.log.entry(i);
      if (!entry) throw new Error(`replica: entry ${i} missing below ${to}`);
      this.#commitIndex = i;
      this.#o.onApplied(this.replica.commitNext(i, entry));
    }
    if (this.#commitIndex - this.log.base >= this.#o.compactEvery) void this.compact().catch(() => undefined);
    else void this.#o.persistence.write([], { commitIndex: this.#commitIndex }).catch(() => undefined);
  }

  /** Fold the committed prefix into a snapshot and drop it from the log and the store. */
  compact(): Promise<void> {
    const snapshot = this.replica.snapshot();
    // Keep two periods of compacted entries in memory: a replica that lags behind the new base by less
    // gets them as an ordinary append, not the whole state as a snapshot.
    this.log.compactTo(snapshot.index, 2 * this.#o.compactEvery);
    return this.#o.persistence.write(Persistence.snapshotOps(snapshot, this.#runs), { commitIndex: this.#commitIndex });
  }

  /** The committed state plus the log after it: what a late joiner or a recovering sequencer needs. */
  stateFrom(from: number): { snapshot: Snapshot | null; prevIndex: number; prevEpoch: Epoch; entries: Entry[] } {
    if (from > this.log.base) {
      const prevIndex = Math.min(from - 1, this.log.lastIndex);
      return { snapshot: null, prevIndex, prevEpoch: this.log.epochAt(prevIndex) ?? NO_EPOCH, entries: this.log.slice(prevIndex + 1) };
    }
    const snapshot = this.replica.snapshot();
    return { snapshot, prevIndex: snapshot.index, prevEpoch: snapshot.epoch, entries: this.log.slice(snapshot.index + 1) };
  }

  #rebuildTail(): void {
    const tail: [number, Entry][] = [];
    for (let i = this.#commitIndex + 1; i <= this.log.lastIndex; i++) {
      const e = this.log.entry(i);
      if (e) tail.push([i, e]);
    }
    this.replica.rebuildTail(tail);
  }
}
