// Notes by log index, taken in order: what one step made of an entry when it joined the log's tail, for the
// step that applies it (the replica's copy records, found once). A note is a shortcut only: a caller that finds
// none (skipped, dropped, out of order) does the work the note would have saved.
export class IndexNotes<T> {
  #notes: (T | undefined)[] = [];
  #head = 0;
  /** The index of the note at `#head`. */
  #from = 1;

  /** The note of the entry at `index`, the next after those noted (else the notes start over from it). */
  note(index: number, value: T): void {
    if (index !== this.#from + this.#notes.length - this.#head) this.clear(index);
    this.#notes.push(value);
  }

  /** The note of the entry at `index`, taken now (undefined when there is none); notes before it are dropped. */
  take(index: number): T | undefined {
    while (this.#from < index && this.#head < this.#notes.length) {
      this.#notes[this.#head++] = undefined;
      this.#from++;
    }
    if (index !== this.#from || this.#head >= this.#notes.length) return undefined;
    const value = this.#notes[this.#head];
    this.#notes[this.#head++] = undefined;
    this.#from++;
    if (this.#head >= 1024 && this.#head * 2 >= this.#notes.length) {
      this.#notes = this.#notes.slice(this.#head);
      this.#head = 0;
    }
    return value;
  }

  /** Forget every note; the next is expected at `from`. */
  clear(from: number): void {
    this.#notes = [];
    this.#head = 0;
    this.#from = from;
  }
}
