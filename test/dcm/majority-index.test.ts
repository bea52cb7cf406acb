// majorityIndex: the index a majority of the members stores (the median from the top), on any input.
import { describe, expect, it } from 'vitest';
import { asPeerId } from '../../src/core/ids';
import { majorityIndex } from '../../src/dcm/context';

describe('majorityIndex', () => {
  it('is the floor(n/2)-th largest match index, members absent from the table counting 0', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % 50;
    for (let round = 0; round < 500; round++) {
      const n = 1 + (round % 9);
      const members = Array.from({ length: n }, (_, i) => asPeerId(`p${i}`));
      const match = new Map(members.filter(() => next() > 5).map((p) => [p, next()]));
      const expected = members.map((p) => match.get(p) ?? 0).sort((a, b) => b - a)[Math.floor(n / 2)];
      expect(majorityIndex(members, (p) => match.get(p) ?? 0)).toBe(expected);
    }
    expect(majorityIndex([], () => 5)).toBe(0);
  });
});
