// The copies of one (reactor, name) in a replica: O(1) add/delete/move, iteration from a random starting
// point (anti-herding), in parts kept apart so that a peer looking for a copy never walks the ones it would
// only skip:
//   mine     — open, and this peer is their preferred host (affinity.ts): offered first;
//   others   — open, another host is preferred (its grace ended): offered after ours (work stealing);
//   unsorted — open, not yet sorted into the two above (sorted a bounded number per look, see `sort`);
//   held     — held back for their preferred host (walked only when the open parts have too few).
// Before the split a peer whose own copies were taken walked every copy held for the others on each attempt
// (a third of the sequencer's CPU in bench dcm), and then, once holds ended, hashed 64 + copies of other
// hosts per attempt to find its own (a tenth of an in-process room's CPU).
// A bag holds its caller's items (the replica's one record per copy), each of which carries its own place in
// the bag: adding, deleting and moving a copy looks nothing up (an id-to-place map here was a third of the
// hash-table operations a replica did per entry).
import type { DistributedMolecule } from '../core/distributed-port';

/** The parts of a bag, in array order. */
export const Part = { Mine: 0, Others: 1, Unsorted: 2, Held: 3 } as const;
export type Part = (typeof Part)[keyof typeof Part];
const PARTS = 4;

/** Which open copies this peer is the preferred host of; `stamp` changes whenever an answer may. */
export interface Preference {
  stamp(reactor: string): unknown;
  mine(m: DistributedMolecule): boolean;
}

/** Copies sorted per look at most: bounded work per attempt, each copy sorted once per stamp. */
const SORT_BUDGET = 256;

/** What a bag holds: a copy, and its place in the bag (-1: in none). An item is in at most one bag. */
export interface BagItem {
  readonly molecule: DistributedMolecule;
  at: number;
}

export class CopyBag<T extends BagItem = BagItem> {
  /** Part p is items[start(p), ends[p]) with start(0) = 0 and start(p) = ends[p - 1]. */
  readonly #items: T[] = [];
  readonly #ends = new Int32Array(PARTS);
  #stamp: unknown = undefined;

  get size(): number {
    return this.#items.length;
  }
  /** Copies not held back and not gone. */
  get openSize(): number {
    return this.#ends[Part.Unsorted] as number;
  }
  has(item: T): boolean {
    return item.at >= 0 && this.#items[item.at] === item;
  }

  /** Add a copy, open or held back (no-op for a copy already here). */
  add(item: T, held: boolean): void {
    if (item.at >= 0) return;
    const i = this.#items.length;
    this.#place(item, i);
    this.#ends[Part.Held] = i + 1;
    if (!held) this.#move(i, Part.Held, Part.Unsorted);
  }

  delete(item: T): void {
    const i = item.at;
    if (i < 0) return;
    item.at = -1;
    // The hole moves to the end: each part from the copy's on gives its last copy to the hole, which then
    // is the first place of the next part (one move per part, none for an empty one; no swaps).
    const ends = this.#ends;
    let hole = i;
    for (let p: number = this.#partOf(i); p < PARTS; p++) {
      const last = (ends[p] as number) - 1;
      if (last !== hole) this.#place(this.#items[last] as T, hole);
      hole = last;
      ends[p] = last;
    }
    this.#items.pop();
  }

  /** Move a copy between the open and the held part (no-op for a copy not here or already there). */
  setHeld(item: T, held: boolean): void {
    const i = item.at;
    if (i < 0) return;
    const p = this.#partOf(i);
    if (held && p < Part.Held) this.#move(i, p, Part.Held);
    else if (!held && p === Part.Held) this.#move(i, p, Part.Unsorted);
  }

  /**
   * Sort open copies into mine and others by `preference` (all of them again when its stamp changed: a
   * host came or went), at most SORT_BUDGET per call; the rest stay unsorted, offered after mine.
   */
  sort(preference: Preference, reactor: string): void {
    const stamp = preference.stamp(reactor);
    if (stamp !== this.#stamp) {
      this.#stamp = stamp;
      this.#ends[Part.Mine] = 0;
      this.#ends[Part.Others] = 0;
    }
    for (let n = 0; n < SORT_BUDGET; n++) {
      const i = this.#ends[Part.Others] as number;
      if (i >= (this.#ends[Part.Unsorted] as number)) return;
      // The first unsorted copy becomes the last of others, or moves on into mine.
      this.#ends[Part.Others] = i + 1;
      if (preference.mine((this.#items[i] as T).molecule)) this.#move(i, Part.Others, Part.Mine);
    }
  }

  /** Size of a part. */
  count(part: Part): number {
    return (this.#ends[part] as number) - (part === 0 ? 0 : (this.#ends[part - 1] as number));
  }

  /** The k-th copy of a part counted from `start` (a fraction in [0, 1)), wrapping around; k < count(part). */
  at(part: Part, start: number, k: number): T | undefined {
    const from = part === 0 ? 0 : (this.#ends[part - 1] as number);
    const n = (this.#ends[part] as number) - from;
    if (k >= n) return undefined;
    return this.#items[from + ((Math.floor(start * n) + k) % n)];
  }

  /** The open copies (mine, unsorted, others), each part starting at `start` and wrapping around. */
  *open(start: number): Generator<T> {
    for (const part of [Part.Mine, Part.Unsorted, Part.Others] as const) yield* this.#walk(part, start);
  }

  /** The held copies, starting at `start` (a fraction in [0, 1)) and wrapping around. */
  held(start: number): Generator<T> {
    return this.#walk(Part.Held, start);
  }

  /** How many copies `gone` does not say are gone, counting up to `limit` at most (a plain loop: no generator). */
  countUpTo(limit: number, gone: (item: T) => boolean): number {
    let n = 0;
    const items = this.#items;
    for (let i = 0; i < items.length && n < limit; i++) if (!gone(items[i] as T)) n++;
    return n;
  }

  /** Every copy, open ones first. */
  *all(): Generator<T> {
    yield* this.#items;
  }

  *#walk(part: Part, start: number): Generator<T> {
    const n = this.count(part);
    for (let k = 0; k < n; k++) {
      const m = this.at(part, start, k);
      if (m !== undefined) yield m;
    }
  }

  #partOf(i: number): Part {
    let p = 0;
    while (i >= (this.#ends[p] as number)) p++;
    return p as Part;
  }

  /** Move the copy at i from part `from` to part `to` (one swap per boundary crossed); returns its new index. */
  #move(i: number, from: Part, to: Part): number {
    const ends = this.#ends;
    let at = i;
    for (let p: number = from; p < to; p++) {
      const last = (ends[p] as number) - 1;
      this.#swap(at, last);
      at = last;
      ends[p] = last;
    }
    for (let p: number = from; p > to; p--) {
      const first = ends[p - 1] as number;
      this.#swap(at, first);
      at = first;
      ends[p - 1] = first + 1;
    }
    return at;
  }

  #place(item: T, i: number): void {
    this.#items[i] = item;
    item.at = i;
  }

  #swap(i: number, j: number): void {
    if (i === j) return;
    const a = this.#items[i] as T;
    const b = this.#items[j] as T;
    this.#place(b, i);
    this.#place(a, j);
  }
}

/**
 * Bags by (reactor, name) in two map levels: a lookup hashes the strings it is given (a parsed entry's own,
 * whose hash V8 keeps) instead of building and hashing a joined key every time — several per entry applied.
 */
export class Bags<T extends BagItem = BagItem> {
  readonly #byReactor = new Map<string, Map<string, CopyBag<T>>>();

  get(reactor: string, name: string): CopyBag<T> | undefined {
    return this.#byReactor.get(reactor)?.get(name);
  }

  /** The bag of (reactor, name), made empty if there is none. */
  of(reactor: string, name: string): CopyBag<T> {
    let byName = this.#byReactor.get(reactor);
    if (!byName) this.#byReactor.set(reactor, (byName = new Map()));
    let bag = byName.get(name);
    if (!bag) byName.set(name, (bag = new CopyBag<T>()));
    return bag;
  }

  clear(): void {
    this.#byReactor.clear();
  }

  /** Every (reactor, name) with a bag. */
  *names(): Generator<readonly [string, string]> {
    for (const [reactor, byName] of this.#byReactor) for (const name of byName.keys()) yield [reactor, name];
  }
}
