// The multiset of one local molecule: a FIFO queue so the oldest copy is taken first (no copy starves),
// with removal at any position for guarded matches. Live copies are items[head..tail). The backing array
// is reused rather than truncated: resetting `length` frees and reallocates the store, which cost more
// than the whole reaction in the counter benchmark.

const COMPACT_AT = 1024;

export class Bag {
  #items: unknown[] = [];
  #head = 0;
  #tail = 0;

  get size(): number {
    return this.#tail - this.#head;
  }

  /** The i-th oldest copy. */
  at(i: number): unknown {
    return this.#items[this.#head + i];
  }

  push(value: unknown): void {
    this.#items[this.#tail++] = value;
  }

  /** Put a copy back as the oldest (a tentatively taken input returned by a failed claim keeps its age). */
  unshift(value: unknown): void {
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
    return all;
  }

  #compact(): void {
    this.#items = this.#items.slice(this.#head, this.#tail);
    this.#tail -= this.#head;
    this.#head = 0;
  }
}
