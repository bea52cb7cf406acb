// The copies of one (reactor, name) in a replica: O(1) add/delete, iteration from a random starting point
// (anti-herding), and two parts — copies this peer may reach for now, and copies held back for their
// preferred host (affinity.ts). A peer looking for a copy walks the open part only; the held part is walked
// just when the open part has too few (work stealing). Before the split, a peer whose own copies were taken
// walked every copy held for the others on each attempt: with a backlog of 2,000 jobs on 5 peers that walk
// was about a third of the sequencer's CPU (bench dcm, cpu part).
import type { DistributedMolecule } from '../core/distributed-port';
import type { MoleculeId } from '../core/ids';

export class CopyBag {
  /** items[0, open) are open, items[open, length) are held. */
  readonly #items: DistributedMolecule[] = [];
  readonly #at = new Map<MoleculeId, number>();
  #open = 0;

  get size(): number {
    return this.#items.length;
  }
  /** Copies not held back. */
  get openSize(): number {
    return this.#open;
  }
  has(id: MoleculeId): boolean {
    return this.#at.has(id);
  }

  add(m: DistributedMolecule, held: boolean): void {
    if (this.#at.has(m.id)) return;
    this.#place(m, this.#items.length);
    if (!held) this.#swap(this.#items.length - 1, this.#open++);
  }

  delete(id: MoleculeId): void {
    const i = this.#at.get(id);
    if (i === undefined) return;
    // Move it to the end of its part, then (if open) to the start of the held part, then off the end.
    let at = i;
    if (at < this.#open) {
      this.#swap(at, --this.#open);
      at = this.#open;
    }
    this.#swap(at, this.#items.length - 1);
    this.#items.pop();
    this.#at.delete(id);
  }

  /** Move a copy between the open and the held part (no-op for a copy not here or already there). */
  setHeld(id: MoleculeId, held: boolean): void {
    const i = this.#at.get(id);
    if (i === undefined) return;
    if (held && i < this.#open) this.#swap(i, --this.#open);
    else if (!held && i >= this.#open) this.#swap(i, this.#open++);
  }

  /** The open copies, starting at `start` (a fraction in [0, 1)) and wrapping around. */
  *open(start: number): Generator<DistributedMolecule> {
    const n = this.#open;
    const first = Math.floor(start * n);
    for (let k = 0; k < n && k < this.#open; k++) {
      const m = this.#items[(first + k) % n];
      if (m !== undefined) yield m;
    }
  }

  /** The held copies, starting at `start` (a fraction in [0, 1)) and wrapping around. */
  *held(start: number): Generator<DistributedMolecule> {
    const from = this.#open;
    const n = this.#items.length - from;
    const first = Math.floor(start * n);
    for (let k = 0; k < n; k++) {
      const m = this.#items[from + ((first + k) % n)];
      if (m !== undefined) yield m;
    }
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
