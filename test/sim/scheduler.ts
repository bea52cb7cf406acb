// Discrete-event scheduler: one virtual clock for every simulated peer, no real timers. After each event
// the microtask queue is drained (promise continuations of the store and the protocol), so a run is a pure
// function of its seed.
import type { Clock, TimerHandle } from '../../src/core/clock';

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Binary min-heap on (at, seq). */
class EventQueue {
  readonly #heap: Event[] = [];
  get size(): number {
    return this.#heap.length;
  }
  push(e: Event): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i] as Event, h[p] as Event)) break;
      [h[i], h[p]] = [h[p] as Event, h[i] as Event];
      i = p;
    }
  }
  pop(): Event | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l] as Event, h[m] as Event)) m = l;
        if (r < h.length && before(h[r] as Event, h[m] as Event)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Event, h[i] as Event];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Event, b: Event): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

const drainMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualScheduler {
  #now = 0;
  #seq = 0;
  readonly #queue = new EventQueue();
  events = 0;

  now(): number {
    return this.#now;
  }

  at(delayMs: number, fn: () => void): Event {
    const e: Event = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false };
    this.#queue.push(e);
    return e;
  }

  /** A Clock for one process: its timers stop firing once `alive()` turns false (a crashed peer). */
  clock(alive: () => boolean = () => true): Clock {
    return {
      now: () => this.#now,
      setTimeout: (fn, ms) => this.at(ms, () => alive() && fn()) as unknown as TimerHandle,
      clearTimeout: (h) => {
        (h as unknown as Event).cancelled = true;
      },
    };
  }

  /** Run events until `until` (virtual ms) or until `stop()` says so (checked after every event). */
  async run(until: number, stop: () => boolean = () => false): Promise<void> {
    await drainMicrotasks();
    for (;;) {
      const e = this.#queue.pop();
      if (!e) break;
      if (e.at > until) {
        this.#queue.push(e);
        this.#now = until;
        break;
      }
      this.#now = e.at;
      if (e.cancelled) continue;
      this.events++;
      e.fn();
      await drainMicrotasks();
      if (stop()) break;
    }
  }
}
