// The operation log in memory: a compacted base (snapshot index/epoch) plus the entries after it.
// Indices start at 1; index `base` is covered by the snapshot. Only an uncommitted tail is ever truncated.
import type { Entry } from './entries';

export class OperationLog {
  #base = 0;
  #baseEpoch = 0;
  #entries: Entry[] = [];

  /** Index covered by the snapshot (entries at or below it are gone). */
  get base(): number {
    return this.#base;
  }
  get baseEpoch(): number {
    return this.#baseEpoch;
  }
  get lastIndex(): number {
    return this.#base + this.#entries.length;
  }
  get lastEpoch(): number {
    return this.epochAt(this.lastIndex) ?? 0;
  }

  /** Epoch of the entry at `index`; undefined when it is compacted away (below base) or beyond the end. */
  epochAt(index: number): number | undefined {
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

  /** Forget entries up to `index` (they are in a snapshot now). */
  compactTo(index: number): void {
    if (index <= this.#base) return;
    const epoch = this.epochAt(index);
    if (epoch === undefined) throw new Error(`log: cannot compact to ${index}, last is ${this.lastIndex}`);
    this.#entries = this.#entries.slice(index - this.#base);
    this.#base = index;
    this.#baseEpoch = epoch;
  }

  /** Replace everything with a snapshot base followed by `entries`. */
  reset(base: number, baseEpoch: number, entries: readonly Entry[] = []): void {
    this.#base = base;
    this.#baseEpoch = baseEpoch;
    this.#entries = [...entries];
  }

  /** Raft's log ordering: the higher last epoch wins, then the longer log. */
  static compare(a: { lastEpoch: number; lastIndex: number }, b: { lastEpoch: number; lastIndex: number }): number {
    return a.lastEpoch - b.lastEpoch || a.lastIndex - b.lastIndex;
  }
}
