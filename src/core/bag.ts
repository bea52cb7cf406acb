// The multiset of one local molecule: a FIFO queue so the oldest copy is taken first (no copy starves),
// with removal at any position for guarded matches. Live copies are items[head..tail). The backing array
// is reused rather than truncated: resetting `length` frees and reallocates the store, which cost more
// than the whole reaction in the counter benchmark.
//
// Filters: a `when`/`is` input registers a filter here; the bag remembers how many of its oldest copies are
// known to fail it (predicates are pure functions of immutable values), so a guarded search skips old
// copies that can never match instead of rescanning them on every emission.

const COMPACT_AT = 1024;

export class Bag {
  #items: unknown[] = [];
  #head = 0;
  #tail = 0;
  /** Per filter: this many oldest copies are known to fail it. */
  #failing: number[] = [];

  get size(): number {
    return this.#tail - this.#head;
  }

  /** The i-th oldest copy. */
  at(i: number): unknown {
    return this.#items[this.#head + i];
  }

  addFilter(): number {
    this.#failing.push(0);
    return this.#failing.length - 1;
  }

  /** How many oldest copies are known to fail filter `f` (a search may start there). */
  knownFailing(f: number): number {
    return this.#failing[f] ?? 0;
  }

  /** Copy `i` failed filter `f`; extends the known-failing prefix when it is contiguous. */
  markFailing(f: number, i: number): void {
    if (this.#failing[f] === i) this.#failing[f] = i + 1;
  }

  push(value: unknown): void {
    this.#items[this.#tail++] = value;
  }

  /** Put a copy back as the oldest (a tentatively taken input returned by a failed claim keeps its age). */
  unshift(value: unknown): void {
    this.#failing.fill(0); // an unknown copy is now the oldest
    if (this.#head > 0) this.#items[--this.#head] = value;
    else {
      this.#items.splice(0, 0, value);
      this.#tail++;
    }
  }

  /** Remove and return the oldest copy; the caller checked `size > 0`. */
  shift(): unknown {
    const items = this.#items;
    const h = this.#head;
    const v = items[h];
    items[h] = undefined;
    if (this.#failing.length !== 0) this.#removedFailing(0);
    if (h + 1 === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
    } else {
      this.#head = h + 1;
      if (h >= COMPACT_AT && h * 2 >= this.#tail) this.#compact();
    }
    return v;
  }

  removeAt(i: number): unknown {
    if (i === 0) return this.shift();
    if (this.#failing.length !== 0) this.#removedFailing(i);
    const at = this.#head + i;
    const v = this.#items[at];
    this.#items.copyWithin(at, at + 1, this.#tail);
    this.#items[--this.#tail] = undefined;
    return v;
  }

  /** Remove one copy by identity (a timed-out blocking call leaving the soup); false if it is not here. */
  remove(value: unknown): boolean {
    for (let i = this.#head; i < this.#tail; i++) {
      if (this.#items[i] === value) {
        this.removeAt(i - this.#head);
        return true;
      }
    }
    return false;
  }

  values(): unknown[] {
    return this.#items.slice(this.#head, this.#tail);
  }

  clear(): unknown[] {
    const all = this.values();
    this.#items = [];
    this.#head = 0;
    this.#tail = 0;
    this.#failing.fill(0);
    return all;
  }

  /** Copy i leaves: prefixes covering it lose one member; later copies move down one place. */
  #removedFailing(i: number): void {
    const f = this.#failing;
    for (let k = 0; k < f.length; k++) if (i < (f[k] as number)) f[k] = (f[k] as number) - 1;
  }

  #compact(): void {
    this.#items = this.#items.slice(this.#head, this.#tail);
    this.#tail -= this.#head;
    this.#head = 0;
  }
}
