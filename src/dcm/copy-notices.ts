// Telling the machine that copies of (reactor, name) may have become available, so it searches again.
// New copies in the log tail are announced once the message that brought them is handled (`soon`): a
// claim in the same burst (say, the emitter's own, to us as sequencer) is then already known.
import type { ReactorId } from '../core/ids';
import { bagKey } from './replica';

export type CopyListener = (reactor: ReactorId, name: string) => void;

export class CopyNotices {
  readonly #listeners = new Set<CopyListener>();
  readonly #pending = new Map<string, readonly [ReactorId, string]>();
  /** The bag noted last (pending now): noting it again changes nothing. */
  #lastReactor: ReactorId | null = null;
  #lastName = '';

  subscribe(listener: CopyListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Now. */
  now(reactor: ReactorId, name: string): void {
    for (const l of this.#listeners) l(reactor, name);
  }

  /** After the current message: several notices for one bag become one. */
  soon(reactor: ReactorId, name: string): void {
    if (this.#pending.size === 0) {
      queueMicrotask(() => {
        const notes = [...this.#pending.values()];
        this.#pending.clear();
        this.#lastReactor = null;
        for (const [r, n] of notes) this.now(r, n);
      });
    } else if (reactor === this.#lastReactor && name === this.#lastName) return; // (the copies of an append: mostly one bag)
    this.#lastReactor = reactor;
    this.#lastName = name;
    this.#pending.set(bagKey(reactor, name), [reactor, name]);
  }

  /** Every bag the replica knows (after a snapshot, a new term, a truncated tail). */
  all(bags: Iterable<readonly [ReactorId, string]>): void {
    for (const [r, n] of bags) this.now(r, n);
  }
}
