// A map that keeps only its newest `limit` keys (the oldest is dropped first): the sequencer's decided
// claims, a replica's recent commits. Dropping the oldest through `map.keys().next()` walks every slot
// V8's hash table keeps for the keys deleted before it until the table is rebuilt: at 10,000 keys that
// was ~12 µs per insert (bench dcm: 8 % of the sequencer), against < 1 µs with the order kept here.
export class RecentMap<K, V> {
  readonly #map = new Map<K, V>();
  /** Keys in insertion order from `#head` on (each once: a key set again keeps its place). */
  #order: K[] = [];
  #head = 0;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  set(key: K, value: V): void {
    const size = this.#map.size;
    this.#map.set(key, value); // one lookup: the size tells whether the key is new
    if (this.#map.size === size) return;
    this.#order.push(key);
    while (this.#map.size > this.limit && this.#head < this.#order.length) this.#map.delete(this.#order[this.#head++] as K);
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Keys, oldest first. */
  keys(): IterableIterator<K> {
    return this.#map.keys();
  }

  clear(): void {
    this.#map.clear();
    this.#order = [];
    this.#head = 0;
  }
}

/**
 * The newest `limit` values in insertion order, in a ring: adding hashes nothing. For a list that is written
 * on every entry and asked about rarely (a replica's recent commits: written at every replica per reaction,
 * read when a snapshot is taken or installed) — a RecentMap there was 6 % of an in-process room's CPU.
 */
export class RecentRing<T> {
  readonly #ring: T[] = [];
  #next = 0;
  /** Membership, built when first asked after a change (`has` is rare: after a snapshot install). */
  #set: Set<T> | null = null;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.#ring.length;
  }

  add(value: T): void {
    if (this.#ring.length < this.limit) this.#ring.push(value);
    else this.#ring[this.#next] = value;
    this.#next = (this.#next + 1) % this.limit;
    this.#set = null;
  }

  has(value: T): boolean {
    return (this.#set ??= new Set(this.#ring)).has(value);
  }

  /** Oldest first, as a new array (one array, filled in place: a snapshot takes it at every compaction, at every replica). */
  toArray(): T[] {
    const ring = this.#ring;
    if (this.#next === 0 || ring.length < this.limit) return ring.slice();
    const out = new Array<T>(ring.length);
    const head = ring.length - this.#next;
    for (let i = 0; i < head; i++) out[i] = ring[this.#next + i] as T;
    for (let i = 0; i < this.#next; i++) out[head + i] = ring[i] as T;
    return out;
  }

  clear(): void {
    this.#ring.length = 0;
    this.#next = 0;
    this.#set = null;
  }
}
