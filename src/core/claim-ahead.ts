// One claim ahead for long bodies. An optimistic claim runs the body while the claim travels: a round trip
// saved per reaction, but when this peer's view of the room is behind (a loaded machine: appends wait in a
// queue while a timer fires first) it often picks a copy consumed a moment ago, the claim is refused, and
// the body runs for nothing — a whole step lost per refusal (a third of all 20 ms map steps at load 20).
// So while a body of a reaction with long bodies (mean LONG_BODY_MS or more) runs, the next copy is claimed
// already: the sequencer's answer usually arrives before the body ends, a refused claim then costs a
// message instead of a body, and a granted one starts the moment a body slot frees. Bodies still run at
// most `concurrency` at a time: a claim ahead waits (parked) for a slot; unanswered by then, its body runs
// optimistically as any other. At most AHEAD such claims per reaction, so a peer holds back few copies.
import type { ReactionRuntime } from './slot';

/** Mean body time (ms) from which a reaction claims ahead. */
export const LONG_BODY_MS = 4;
/** Claims ahead per reaction, beyond its concurrency. */
const AHEAD = 1;
/** Weight of the newest body time in the running mean. */
const WEIGHT = 0.25;

export class ClaimAhead {
  readonly #bodyMs = new Map<ReactionRuntime, number>();
  readonly #ahead = new Map<ReactionRuntime, number>();
  readonly #parked = new Map<ReactionRuntime, (() => void)[]>();

  /** Bodies of `r` are long (by their running mean). */
  long(r: ReactionRuntime): boolean {
    return (this.#bodyMs.get(r) ?? 0) >= LONG_BODY_MS;
  }

  /** A body of `r` took `ms`. */
  observe(r: ReactionRuntime, ms: number): void {
    const mean = this.#bodyMs.get(r);
    this.#bodyMs.set(r, mean === undefined ? ms : mean + WEIGHT * (ms - mean));
  }

  /** May `r` send a claim although its bodies fill its concurrency? */
  canClaim(r: ReactionRuntime): boolean {
    return this.long(r) && (this.#ahead.get(r) ?? 0) < AHEAD;
  }

  /** A claim ahead was sent for `r`. */
  begin(r: ReactionRuntime): void {
    this.#ahead.set(r, (this.#ahead.get(r) ?? 0) + 1);
  }

  /** A claim ahead of `r` ended: refused, or its body started. */
  end(r: ReactionRuntime): void {
    const n = (this.#ahead.get(r) ?? 1) - 1;
    if (n > 0) this.#ahead.set(r, n);
    else this.#ahead.delete(r);
  }

  /**
   * A granted claim ahead waits for a body slot of `r`: `start` is called when one may be free. Returns
   * `unpark`, which takes it out of the queue (true) unless it was started already (false).
   */
  park(r: ReactionRuntime, start: () => void): () => boolean {
    let q = this.#parked.get(r);
    if (!q) this.#parked.set(r, (q = []));
    q.push(start);
    return () => {
      const list = this.#parked.get(r);
      const at = list?.indexOf(start) ?? -1;
      if (!list || at < 0) return false;
      list.splice(at, 1);
      if (list.length === 0) this.#parked.delete(r);
      return true;
    };
  }

  /** A body slot of `r` freed: start the oldest parked claim, if any. */
  slotFreed(r: ReactionRuntime): void {
    const q = this.#parked.get(r);
    const start = q?.shift();
    if (q?.length === 0) this.#parked.delete(r);
    start?.();
  }

  /** The reactor is gone: its parked claims are started (each finds its site unloaded and gives its copies back). */
  drop(r: ReactionRuntime): void {
    this.#bodyMs.delete(r);
    for (let n = this.#parked.get(r)?.length ?? 0; n > 0; n--) this.slotFreed(r);
  }
}
