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
import type { DistributedMolecule } from '../core/distributed-port';
import type { MoleculeId } from '../core/ids';

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

export class CopyBag {
  /** Part p is items[start(p), ends[p]) with start(0) = 0 and start(p) = ends[p - 1]. */
  readonly #items: DistributedMolecule[] = [];
  readonly #at = new Map<MoleculeId, number>();
  readonly #ends = new Int32Array(PARTS);
  #stamp: unknown = undefined;

  get size(): number {
    return this.#items.length;
  }
  /** Copies not held back and not gone. */
  get openSize(): number {
    return this.#ends[Part.Unsorted] as number;
  }
  has(id: MoleculeId): boolean {
    return this.#at.has(id);
  }

  /** Add a copy, open or held back (no-op for a copy already here). */
  add(m: DistributedMolecule, held: boolean): void {
    if (this.#at.has(m.id)) return;
    const i = this.#items.length;
    this.#place(m, i);
    this.#ends[Part.Held] = i + 1;
    if (!held) this.#move(i, Part.Held, Part.Unsorted);
  }

  delete(id: MoleculeId): void {
    const i = this.#at.get(id);
    if (i === undefined) return;
    this.#at.delete(id);
    // The hole moves to the end: each part from the copy's on gives its last copy to the hole, which then
    // is the first place of the next part (one move per part, none for an empty one; no swaps).
    const ends = this.#ends;
    let hole = i;
    for (let p: number = this.#partOf(i); p < PARTS; p++) {
      const last = (ends[p] as number) - 1;
      if (last !== hole) this.#place(this.#items[last] as DistributedMolecule, hole);
      hole = last;
      ends[p] = last;
    }
    this.#items.pop();
  }

  /** Move a copy between the open and the held part (no-op for a copy not here or already there). */
  setHeld(id: MoleculeId, held: boolean): void {
    const i = this.#at.get(id);
    if (i === undefined) return;
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
      if (preference.mine(this.#items[i] as DistributedMolecule)) this.#move(i, Part.Others, Part.Mine);
    }
  }

  /** Size of a part. */
  count(part: Part): number {
    return (this.#ends[part] as number) - (part === 0 ? 0 : (this.#ends[part - 1] as number));
  }

  /** The k-th copy of a part counted from `start` (a fraction in [0, 1)), wrapping around; k < count(part). */
  at(part: Part, start: number, k: number): DistributedMolecule | undefined {
    const from = part === 0 ? 0 : (this.#ends[part - 1] as number);
    const n = (this.#ends[part] as number) - from;
    if (k >= n) return undefined;
    return this.#items[from + ((Math.floor(start * n) + k) % n)];
  }

  /** The open copies (mine, unsorted, others), each part starting at `start` and wrapping around. */
  *open(start: number): Generator<DistributedMolecule> {
    for (const part of [Part.Mine, Part.Unsorted, Part.Others] as const) yield* this.#walk(part, start);
  }

  /** The held copies, starting at `start` (a fraction in [0, 1)) and wrapping around. */
  held(start: number): Generator<DistributedMolecule> {
    return this.#walk(Part.Held, start);
  }

  /** How many copies not in `gone` there are, counting up to `limit` at most (a plain loop: no generator). */
  countUpTo(limit: number, gone: ReadonlySet<MoleculeId>): number {
    let n = 0;
    const items = this.#items;
    for (let i = 0; i < items.length && n < limit; i++) if (!gone.has((items[i] as DistributedMolecule).id)) n++;
    return n;
  }

  /** Every copy, open ones first. */
  *all(): Generator<DistributedMolecule> {
    yield* this.#items;
  }

  *#walk(part: Part, start: number): Generator<DistributedMolecule> {
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

  #place(m: DistributedMolecule, i: number): void {
    this.#items[i] = m;
    this.#at.set(m.id, i);
  }

  #swap(i: number, j: number): void {
    if (i === j) return;
    const a = this.#items[i] as DistributedMolecule;
    const b = this.#items[j] as DistributedMolecule;
    this.#place(b, i);
    this.#place(a, j);
  }
}

/**
 * Bags by (reactor, name) in two map levels: a lookup hashes the strings it is given (a parsed entry's own,
 * whose hash V8 keeps) instead of building and hashing a joined key every time — several per entry applied.
 */
export class Bags {
  readonly #byReactor = new Map<string, Map<string, CopyBag>>();

  get(reactor: string, name: string): CopyBag | undefined {
    return this.#byReactor.get(reactor)?.get(name);
  }

  /** The bag of (reactor, name), made empty if there is none. */
  of(reactor: string, name: string): CopyBag {
    let byName = this.#byReactor.get(reactor);
    if (!byName) this.#byReactor.set(reactor, (byName = new Map()));
    let bag = byName.get(name);
    if (!bag) byName.set(name, (bag = new CopyBag()));
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
