// Store keys of log entries ("dcm/log/<index, 12 wide>"). Each key is built once, when its entry is put,
// and handed out again for the entry's delete (compaction, a truncated tail): the store then finds the
// string it already holds instead of a fresh one it would have to flatten and hash. A peer stores and later
// deletes every entry of the room's log, so these were two new strings per entry and per peer.

const LOG_PREFIX = 'dcm/log/';
const PADDING = `${LOG_PREFIX}000000000000`;

/** The store key of the entry at `index` (a fresh string; see LogKeys for the shared ones). */
export const logKey = (index: number): string => {
  const digits = String(index);
  // padStart with the prefix as filler makes one flat string, where a template makes a rope to flatten.
  return digits.length <= 12 ? digits.padStart(PADDING.length, PADDING) : LOG_PREFIX + digits;
};

export class LogKeys {
  /** Keys of indices `#first`, `#first + 1`, …; a slot is empty once taken (or never built). */
  #keys: (string | undefined)[] = [];
  #first = 0;
  /** Slots before this one were all taken (dropped in bulk now and then, as RecentMap does). */
  #head = 0;

  /** The key of the entry at `index`, kept until `take` hands it out for the entry's delete. */
  key(index: number): string {
    const at = index - this.#first;
    if (at < this.#head || at > this.#keys.length) {
      // Below what we keep (an entry loaded from the store), or past a gap: start over from here.
      if (at < this.#head && this.#head < this.#keys.length) return logKey(index);
      this.#keys = [];
      this.#first = index;
      this.#head = 0;
      return this.key(index);
    }
    let key = this.#keys[at];
    if (key === undefined) this.#keys[at] = key = logKey(index);
    return key;
  }

  /** The key of the entry at `index`, for its delete: the store forgets it, so do we. */
  take(index: number): string {
    const at = index - this.#first;
    const key = at >= this.#head ? this.#keys[at] : undefined;
    if (key === undefined) return logKey(index);
    this.#keys[at] = undefined;
    while (this.#head < this.#keys.length && this.#keys[this.#head] === undefined) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#keys.length) {
      this.#keys = this.#keys.slice(this.#head);
      this.#first += this.#head;
      this.#head = 0;
    }
    return key;
  }

  /** Every entry key goes (the store's log was dropped whole). */
  clear(): void {
    this.#keys = [];
    this.#first = 0;
    this.#head = 0;
  }
}
