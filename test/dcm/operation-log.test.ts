// The in-memory operation log: compaction keeps a bounded window of folded entries for replicas that lag
// behind the snapshot, outside the log proper.
import { describe, expect, it } from 'vitest';
import { asEpoch, asPeerId } from '../../src/core/ids';
import type { Entry } from '../../src/dcm/entries';
import { OperationLog } from '../../src/dcm/log';

const term = (epoch: number): Entry => ({ type: 'term', epoch: asEpoch(epoch), leader: asPeerId('a') });
const log = (epochs: readonly number[]): OperationLog => {
  const l = new OperationLog();
  l.append(epochs.map(term));
  return l;
};

describe('OperationLog kept entries', () => {
  it('keeps the last `keep` compacted entries, sendable with their epochs, and never in the log proper', () => {
    const l = log([1, 1, 2, 2, 2, 3, 3, 3]);
    l.compactTo(5, 3);
    expect(l.base).toBe(5);
    expect(l.keptBase).toBe(2);
    expect(l.entry(4)).toBeUndefined(); // the log proper starts after the base
    expect(l.slice(1).map((e) => e.epoch)).toEqual([3, 3, 3]);
    expect(l.sliceKept(3).map((e) => e.epoch)).toEqual([2, 2, 2, 3, 3, 3]);
    expect(l.sliceKept(3, 4).map((e) => e.epoch)).toEqual([2, 2]);
    expect(l.sliceKept(1, 6)).toHaveLength(4); // clipped to what is held: indices 3..6
    expect([l.keptEpochAt(2), l.keptEpochAt(3), l.keptEpochAt(5), l.keptEpochAt(6), l.keptEpochAt(1)]).toEqual([1, 2, 2, 3, undefined]);
  });

  it('slides the window over later compactions and forgets it on reset', () => {
    const l = log([1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
    l.compactTo(2, 4);
    expect([l.keptBase, l.keptEpochAt(0)]).toEqual([0, 0]);
    l.compactTo(7, 4);
    expect(l.keptBase).toBe(3);
    expect([l.keptEpochAt(3), l.keptEpochAt(4)]).toEqual([1, 2]);
    expect(l.sliceKept(4).map((e) => e.epoch)).toEqual([2, 2, 2, 2, 3, 3, 3]);
    l.compactTo(8, 0);
    expect(l.keptBase).toBe(8);
    l.reset(20, asEpoch(4), [term(4)]);
    expect([l.keptBase, l.keptEpochAt(20), l.lastIndex]).toEqual([20, 4, 21]);
  });
});
