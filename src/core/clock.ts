// Injected nondeterminism: time and randomness. Core never reads Date.now() or Math.random() directly,
// so the deterministic simulation can drive every peer from one virtual clock and one seed.

export type TimerHandle = { readonly __timer: true };

export interface Clock {
  /** Milliseconds, monotonic within one clock. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (h) => clearTimeout(h as unknown as ReturnType<typeof setTimeout>),
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
