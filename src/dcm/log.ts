// The operation log in memory: a compacted base (snapshot index/epoch) plus the entries after it.
// Indices start at 1; index `base` is covered by the snapshot. Only an uncommitted tail is ever truncated.
// Compacted entries may be *kept* a while for replicas that lag behind the snapshot (a sequencer sends them
// the entries instead of the whole state): they are outside the log proper (`entry`, `slice` never see them).
import { type Epoch, NO_EPOCH } from '../core/ids';
import type { Entry } from './entries';

export class OperationLog {
  #base = 0;
  #baseEpoch = NO_EPOCH;
  #entries: Entry[] = [];
  /** Compacted entries still held: indices (keptBase, base], and the epoch at keptBase. */
  #kept: Entry[] = [];
  #keptBaseEpoch = NO_EPOCH;

  /** Index covered by the snapshot (entries at or below it are gone). */
  get base(): number {
    return this.#base;
  }
  get baseEpoch(): Epoch {
    return this.#baseEpoch;
  }
  get lastIndex(): number {
    return this.#base + this.#entries.length;
  }
  get lastEpoch(): Epoch {
    return this.epochAt(this.lastIndex) ?? NO_EPOCH;
  }

  /** Entries after this index can still be sent as entries (kept or in the log); at or below it only a snapshot. */
  get keptBase(): number {
    return this.#base - this.#kept.length;
  }

  /** Entries in [from, to] including kept compacted ones (clipped to what is held): for replicas behind the base. */
  sliceKept(from: number, to = this.lastIndex): Entry[] {
    if (from > this.#base) return this.slice(from, to);
    const kb = this.keptBase;
    const start = Math.max(from, kb + 1) - kb - 1;
    const end = Math.min(to, this.#base) - kb;
    const kept = start < end ? this.#kept.slice(start, end) : [];
    return to > this.#base ? kept.concat(this.slice(this.#base + 1, to)) : kept;
  }

  /** Epoch at `index`, looking into kept compacted entries too. */
  keptEpochAt(index: number): Epoch | undefined {
    const kb = this.keptBase;
    if (index >= this.#base) return this.epochAt(index);
    if (index === kb) return this.#keptBaseEpoch;
    return index > kb ? this.#kept[index - kb - 1]?.epoch : undefined;
  }

  /** Epoch of the entry at `index`; undefined when it is compacted away (below base) or beyond the end. */
  epochAt(index: number): Epoch | undefined {
    if (index === this.#base) return this.#baseEpoch;
    return this.entry(index)?.epoch;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.#base) return undefined;
    return this.#entries[index - this.#base - 1];
  }

  /** Entries with index in [from, to] (inclusive, clipped to what is held). */
  slice(from: number, to = this.lastIndex): Entry[] {
    const start = Math.max(from, this.#base + 1) - this.#base - 1;
    const end = Math.min(to, this.lastIndex) - this.#base;
    return start < end ? this.#entries.slice(start, end) : [];
  }

  append(entries: readonly Entry[]): void {
    for (const e of entries) this.#entries.push(e);
  }

  /** Drop every entry at index ≥ `from` (an uncommitted tail that lost to another sequencer's log). */
  truncateFrom(from: number): void {
    if (from <= this.#base) throw new Error(`log: cannot truncate at ${from}, compacted up to ${this.#base}`);
    this.#entries.length = Math.max(0, from - this.#base - 1);
  }

  /** Forget entries up to `index` (they are in a snapshot now), keeping the last `keep` of them aside. */
  compactTo(index: number, keep = 0): void {
    if (index <= this.#base) return;
    const epoch = this.epochAt(index);
    if (epoch === undefined) throw new Error(`log: cannot compact to ${index}, last is ${this.lastIndex}`);
    if (this.#kept.length === 0) this.#keptBaseEpoch = this.#baseEpoch;
    const kept = this.#kept.concat(this.#entries.slice(0, index - this.#base));
    const drop = Math.max(0, kept.length - Math.max(0, keep));
    if (drop > 0) this.#keptBaseEpoch = (kept[drop - 1] as Entry).epoch;
    this.#kept = drop > 0 ? kept.slice(drop) : kept;
    this.#entries = this.#entries.slice(index - this.#base);
    this.#base = index;
    this.#baseEpoch = epoch;
  }

  /** Replace everything with a snapshot base followed by `entries`. */
  reset(base: number, baseEpoch: Epoch, entries: readonly Entry[] = []): void {
    this.#base = base;
    this.#baseEpoch = baseEpoch;
    this.#entries = [...entries];
    this.#kept = [];
    this.#keptBaseEpoch = baseEpoch;
  }

  /** Raft's log ordering: the higher last epoch wins, then the longer log. */
  static compare(a: { lastEpoch: Epoch; lastIndex: number }, b: { lastEpoch: Epoch; lastIndex: number }): number {
    return a.lastEpoch - b.lastEpoch || a.lastIndex - b.lastIndex;
  }
}
