// The log in the store: one record per run of entries that arrived together (a sequencer's proposal, a
// replica's accepted append), "dcm/log/<index of its first entry, 12 wide>" → Entry[], not one record per
// entry. A peer stores and later deletes every entry of the room's log; per entry that was two store writes
// (and two keys, two op objects) per peer, now it is two per run. Stores written before runs hold one bare
// Entry per key: it reads as a run of one.
//
// The layout is canonical: runs do not overlap and follow each other without gaps from the snapshot on (a run
// may reach below the snapshot index: its older entries were compacted, the rest is the log). StoredRuns is
// this process's picture of it; it is right because every write goes through it and a sibling process that
// writes the same store is refused by the log version (persistence.ts).
import type { StoreOp } from '../store/store';
import type { Entry } from './entries';

export const LOG_PREFIX = 'dcm/log/';
const PADDING = `${LOG_PREFIX}000000000000`;
/** Longest run written: a cut inside a run rewrites what is kept of it, so that stays bounded. */
export const MAX_RUN = 128;

/** The store key of the run whose first entry is at `index`. */
export const logKey = (index: number): string => {
  const digits = String(index);
  // padStart with the prefix as filler makes one flat string, where a template makes a rope to flatten.
  return digits.length <= 12 ? digits.padStart(PADDING.length, PADDING) : LOG_PREFIX + digits;
};

export interface Run {
  readonly first: number;
  readonly entries: readonly Entry[];
  readonly key: string;
}

/** What a store's log records make: the entries after `base`, the runs that hold them, and keys to delete. */
export interface StoredLog {
  readonly entries: Entry[];
  readonly runs: Run[];
  /** Records outside the log: wholly at or below the snapshot, or past a gap (a torn write's leftovers). */
  readonly stale: string[];
}

/**
 * Read the log from its records (`records` in key order, as a store's range gives them), after the
 * snapshot at `base`. Entries must follow each other from base + 1; the first gap or overlap ends the log.
 */
export function readRuns(base: number, records: readonly (readonly [string, unknown])[]): StoredLog {
  const entries: Entry[] = [];
  const runs: Run[] = [];
  const stale: string[] = [];
  let broken = false;
  for (const [key, value] of records) {
    const first = Number(key.slice(LOG_PREFIX.length));
    const list = (Array.isArray(value) ? value : [value]) as Entry[];
    const next = base + entries.length + 1;
    const last = first + list.length - 1;
    if (broken || !Number.isSafeInteger(first) || list.length === 0 || last <= base || (runs.length > 0 ? first !== next : first > next)) {
      stale.push(key);
      if (last > base) broken = true;
      continue;
    }
    for (let k = Math.max(0, next - first); k < list.length; k++) entries.push(list[k] as Entry);
    runs.push({ first, entries: list, key });
  }
  return { entries, runs, stale };
}

export class StoredRuns {
  /** The `keepCutRuns` mutation (context.ts ProtocolFaults): a cut leaves the store's runs as they were. */
  readonly #keepCut: boolean;
  constructor(keepCut = false) {
    this.#keepCut = keepCut;
  }
  /** Runs in the store, in index order; those before `#head` are gone (dropped in bulk now and then). */
  #runs: Run[] = [];
  #head = 0;
  /** Records to delete with the next write (found stale at load). */
  #stale: string[] = [];
  /** The snapshot's index: entries at or below it are compacted (no run needs to hold them). */
  #base = 0;

  /** Start from what the store holds (readRuns) after the snapshot at `base`. */
  seed(stored: Pick<StoredLog, 'runs' | 'stale'>, base: number): void {
    this.#runs = stored.runs.slice();
    this.#head = 0;
    this.#stale = stored.stale.slice();
    this.#base = base;
  }

  /** Ops that make the store's log from `from` on hold `entries` (anything stored there before goes). */
  replace(from: number, entries: readonly Entry[]): StoreOp[] {
    const ops = this.#takeStale();
    while (!this.#keepCut && this.#runs.length > this.#head) {
      const r = this.#runs[this.#runs.length - 1] as Run;
      if (r.first >= from || from - 1 <= this.#base) {
        // (a run cut down to compacted entries only holds nothing of the log)
        ops.push({ type: 'delete', key: r.key });
        this.#runs.pop();
        continue;
      }
      if (r.first + r.entries.length > from) {
        // A cut inside this run: keep its part before `from`.
        const kept: Run = { first: r.first, entries: r.entries.slice(0, from - r.first), key: r.key };
        this.#runs[this.#runs.length - 1] = kept;
        ops.push({ type: 'put', key: r.key, value: kept.entries, frozen: true });
      }
      break;
    }
    for (let at = 0; at < entries.length; at += MAX_RUN) {
      const part = entries.length <= MAX_RUN ? entries : entries.slice(at, at + MAX_RUN);
      const run: Run = { first: from + at, entries: part, key: logKey(from + at) };
      this.#runs.push(run);
      ops.push({ type: 'put', key: run.key, value: part, frozen: true });
    }
    return ops;
  }

  /** Ops that delete the runs whose every entry is at or below `index` (compacted into the snapshot). */
  dropThrough(index: number): StoreOp[] {
    const ops = this.#takeStale();
    this.#base = Math.max(this.#base, index);
    while (this.#head < this.#runs.length) {
      const r = this.#runs[this.#head] as Run;
      if (r.first + r.entries.length - 1 > index) break;
      ops.push({ type: 'delete', key: r.key });
      this.#head++;
    }
    if (this.#head > 256 && this.#head * 2 > this.#runs.length) {
      this.#runs = this.#runs.slice(this.#head);
      this.#head = 0;
    }
    return ops;
  }

  /** The store's log was dropped whole (delete-prefix) for a snapshot at `base`: nothing is left. */
  clear(base: number): void {
    this.#runs = [];
    this.#head = 0;
    this.#stale = [];
    this.#base = base;
  }

  /** The runs as this process believes the store holds them (tests). */
  runs(): readonly Run[] {
    return this.#runs.slice(this.#head);
  }

  #takeStale(): StoreOp[] {
    if (this.#stale.length === 0) return [];
    const ops: StoreOp[] = this.#stale.map((key) => ({ type: 'delete', key }));
    this.#stale = [];
    return ops;
  }
}
