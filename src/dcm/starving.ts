// Starvation of a run only this peer can make. Affinity holds a fresh copy back from every host but its
// preferred one for a grace period; a lone copy (a counter's `count`) goes to the sequencer, and each run
// there makes the next copy, held back again from scratch. A run that takes a local molecule too — a
// blocking `read()` called on this peer — can be made by no one else, so when the sequencer keeps the copy
// busy faster than the grace period ends, that run would wait for good (three tabs polling a counter: the
// two that do not hold the sequencer never got an answer). So once such a run has found a (reactor, name)
// held back, and only held back, at every look for `afterMs` in a row, it races for it at each look until it
// finds an open copy — at most one fenced body per look when the sequencer wins. Runs any peer can make
// (an `incr` the sequencer consumes as well) never race: they still wait for the holds, as before. This orders the race only; the sequencer still validates every claim and commit.
import type { Clock } from '../core/clock';

/** Names tracked at once (a peer's reactors have few): beyond it the table starts over. */
const MAX_TRACKED = 1024;

export class Starving {
  readonly #clock: Clock;
  readonly #afterMs: number;
  /** Per key: when the current streak began and when it was last seen. */
  readonly #streaks = new Map<string, { since: number; last: number }>();

  constructor(clock: Clock, afterMs: number) {
    this.#clock = clock;
    this.#afterMs = afterMs;
  }

  /**
   * A look at `key` by a run only this peer can make: `open` copies it may take, `held` copies held back
   * from it. True while the streak of looks that found only held copies has lasted `afterMs`: the caller
   * races for them. Finding an open copy ends the streak; finding none at all (the copy is being taken)
   * neither ends nor extends it; a pause longer than `afterMs` is no streak (the holds had time to end).
   */
  update(key: string, open: number, held: number): boolean {
    if (open > 0 || this.#afterMs <= 0) {
      this.#streaks.delete(key);
      return false;
    }
    if (held === 0) return false;
    const now = this.#clock.now();
    const s = this.#streaks.get(key);
    if (!s || now - s.last > this.#afterMs) {
      if (!s && this.#streaks.size >= MAX_TRACKED) this.#streaks.clear();
      this.#streaks.set(key, { since: now, last: now });
      return false;
    }
    s.last = now;
    return now - s.since >= this.#afterMs;
  }
}
