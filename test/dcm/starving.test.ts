// Starving (src/dcm/starving.ts): when a run only this peer can make may race for held-back copies.
import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../src/core/clock';
import { Starving } from '../../src/dcm/starving';

function at(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, setTimeout: () => ({}) as TimerHandle, clearTimeout: () => undefined };
  return c;
}

describe('Starving', () => {
  it('races once looks found only held copies for the whole wait, and until an open copy is found', () => {
    const clock = at();
    const s = new Starving(clock, 800);
    for (clock.t = 0; clock.t < 800; clock.t += 100) expect(s.update('k', 0, 1)).toBe(false);
    clock.t = 800;
    expect(s.update('k', 0, 1)).toBe(true);
    clock.t = 850;
    expect(s.update('k', 0, 0)).toBe(false); // nothing there (being taken): neither ends nor extends the streak
    clock.t = 900;
    expect(s.update('k', 0, 1)).toBe(true);
    expect(s.update('k', 1, 1)).toBe(false); // an open copy ends it
    clock.t = 1000;
    expect(s.update('k', 0, 1)).toBe(false);
    expect(s.update('other', 0, 1)).toBe(false); // per key
  });

  it('a pause longer than the wait is no streak', () => {
    const clock = at();
    const s = new Starving(clock, 800);
    expect(s.update('k', 0, 1)).toBe(false);
    clock.t = 700;
    expect(s.update('k', 0, 1)).toBe(false);
    clock.t = 1600; // 900 ms after the last look
    expect(s.update('k', 0, 1)).toBe(false);
    clock.t = 2300;
    expect(s.update('k', 0, 1)).toBe(false);
    clock.t = 2400;
    expect(s.update('k', 0, 1)).toBe(true);
  });

  it('never races with affinity off', () => {
    const clock = at();
    const s = new Starving(clock, 0);
    for (clock.t = 0; clock.t < 5000; clock.t += 100) expect(s.update('k', 0, 1)).toBe(false);
  });
});
