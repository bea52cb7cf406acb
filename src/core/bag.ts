// The multiset of one local molecule: a FIFO queue so the oldest copy is taken first (no copy starves),
// with removal at any position for guarded matches. Array + head index instead of Array.shift(): shift is
// O(n) for large bags, while moving a head index is O(1) and compaction is amortised.

const COMPACT_AT = 1024;

export class Bag {
  #items: unknown[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** The i-th oldest copy. */
  at(i: number): unknown {
    return this.#items[this.#head + i];
  }

  push(value: unknown): void {
    this.#items.push(value);
  }

  /** Put a copy back as the oldest (a tentatively taken input returned by a failed claim keeps its age). */
  unshift(value: unknown): void {
    if (this.#head > 0) this.#items[--this.#head] = value;
    else this.#items.unshift(value);
  }

  /** Remove and return the oldest copy; the caller checked `size > 0`. */
  shift(): unknown {
    const items = this.#items;
    const v = items[this.#head];
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AT && this.#head * 2 >= items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return v;
  }

  removeAt(i: number): unknown {
    if (i === 0) return this.shift();
    const items = this.#items;
    if (i === this.size - 1) return items.pop();
    return items.splice(this.#head + i, 1)[0];
  }

  /** Remove one copy by identity (a timed-out blocking call leaving the soup); false if it is not here. */
  remove(value: unknown): boolean {
    const i = this.#items.indexOf(value, this.#head);
    if (i < 0) return false;
    this.removeAt(i - this.#head);
    return true;
  }

  values(): unknown[] {
    return this.#items.slice(this.#head);
  }

  clear(): unknown[] {
    const all = this.values();
    this.#items = [];
    this.#head = 0;
    return all;
  }
}
