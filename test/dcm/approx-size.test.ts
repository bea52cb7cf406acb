// approxSize: about the JSON length of a parsed message, and never more work than its cap.
import { describe, expect, it } from 'vitest';
import { approxSize } from '../../src/dcm/approx-size';

describe('approxSize', () => {
  it('is close to the JSON length of ordinary messages', () => {
    const m = { v: 1, type: 'append', entries: Array.from({ length: 32 }, (_, i) => ({ type: 'emit', seq: i, source: 'peer~abc', molecule: { id: `peer~abc:${i}`, value: 'hello' } })) };
    const json = JSON.stringify(m).length;
    const approx = approxSize(m, Infinity);
    expect(approx).toBeGreaterThan(json * 0.7);
    expect(approx).toBeLessThan(json * 1.5);
  });

  it('stops once past its cap (a huge or 100,000-deep value costs at most about the cap)', () => {
    const wide = Array.from({ length: 1_000_000 }, () => 'x');
    expect(approxSize(wide, 1000)).toBeGreaterThan(1000);
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(approxSize(deep, 10_000)).toBeGreaterThan(10_000);
    expect(approxSize(deep, Infinity)).toBeGreaterThan(100_000); // iterative: no stack overflow
    expect(approxSize({ __proto__: null, a: 'b' }, 100)).toBeGreaterThan(0);
  });
});
