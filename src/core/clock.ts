// Injected nondeterminism: time and randomness. Core never reads Date.now() or Math.random() directly,
// so the deterministic simulation can drive every peer from one virtual clock and one seed.

export type TimerHandle = { readonly __timer: true };

export interface Clock {
  /** Milliseconds, monotonic within one clock. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /**
   * Run `fn` once the current turn is over — after every pending microtask, before timers when the platform
   * allows (setImmediate, else a MessageChannel). Used to coalesce a burst's messages into one frame.
   * Optional: without it, `setTimeout(fn, 0)` on this clock (a virtual clock stays deterministic).
   */
  defer?(fn: () => void): void;
}

/** The platform's cheapest "after this turn" callback. */
function platformDefer(): (fn: () => void) => void {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') {
    const immediate = g.setImmediate;
    return (fn) => void immediate(fn);
  }
  if (typeof g.MessageChannel === 'function') {
    const queue: (() => void)[] = [];
    const channel = new g.MessageChannel();
    channel.port1.onmessage = () => queue.shift()?.();
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(null);
    };
  }
  return (fn) => void setTimeout(fn, 0);
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (h) => clearTimeout(h as unknown as ReturnType<typeof setTimeout>),
  defer: platformDefer(),
};

/** `clock.defer`, or a zero-delay timer on the clock when it has none. */
export const deferOn =
  (clock: Clock) =>
  (fn: () => void): void => {
    if (clock.defer) clock.defer(fn);
    else clock.setTimeout(fn, 0);
  };

export const systemRandom: Random = { next: () => Math.random() };

/** Seeded PRNG (mulberry32): the same seed always gives the same sequence. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Random integer in [0, n). */
export const randomInt = (r: Random, n: number): number => Math.floor(r.next() * n);
