// mergeMeta: the dcm meta record only moves forward, field by field, and keeps fields it does not know
// (a newer tab's); a promise without owner leaves no owner behind. Persistence queues a commit-index move
// without a merge and lands it with the batch's merge.
import { describe, expect, it } from 'vitest';
import { asEpoch } from '../../src/core/ids';
import { mergeMeta, Persistence, StaleBallotError, type Meta } from '../../src/dcm/persistence';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory';

const meta = (m: Partial<Meta>): Meta => ({ promised: asEpoch(0), commitIndex: 0, source: '', nextSeqLimit: 0, ...m });

describe('mergeMeta', () => {
  it('moves every field forward and keeps the stored source and genesis', () => {
    const stored = { ...meta({ promised: asEpoch(3), promisedOwner: 'a', commitIndex: 9, source: 's1', nextSeqLimit: 100, genesis: 'g', logVersion: 4 }), future: 'kept' };
    const mine = meta({ promised: asEpoch(2), promisedOwner: 'b', commitIndex: 12, source: 's2', nextSeqLimit: 50 });
    expect(mergeMeta(stored, mine, false)).toEqual({ promised: 3, promisedOwner: 'a', commitIndex: 12, source: 's1', nextSeqLimit: 100, genesis: 'g', logVersion: 4, future: 'kept' });
    expect(mergeMeta(stored, meta({ ...mine, promised: asEpoch(5), genesis: 'g' }), true, { logVersion: 4, promising: false })).toEqual({ promised: 5, promisedOwner: 'b', commitIndex: 12, source: 's1', nextSeqLimit: 100, genesis: 'g', logVersion: 5, future: 'kept' });
  });

  it('a newer promise without owner leaves no owner; log writes under an older ballot are refused', () => {
    const stored = meta({ promised: asEpoch(3), promisedOwner: 'a' });
    const merged = mergeMeta(stored, meta({ promised: asEpoch(4) }), false);
    expect(merged).toEqual({ promised: 4, commitIndex: 0, source: '', nextSeqLimit: 0, logVersion: 0 });
    expect('promisedOwner' in merged).toBe(false);
    expect(() => mergeMeta(stored, meta({ promised: asEpoch(2) }), true)).toThrow(StaleBallotError);
  });
});

describe('Persistence meta writes', () => {
  it('lands commit-index moves of one turn in one batch, forward only, and keeps what the store holds', async () => {
    const backing = createMemoryBacking();
    const p = new Persistence(createMemoryStore(backing), () => undefined);
    await p.write([], { promised: asEpoch(2), promisedOwner: 'a' });
    void p.write([], { commitIndex: 5 });
    void p.write([], { commitIndex: 3 });
    expect(p.queued.commitIndex).toBe(5);
    await p.write([], { commitIndex: 4 });
    expect(p.meta).toMatchObject({ promised: 2, promisedOwner: 'a', commitIndex: 5 });
    expect(backing.entries.get('dcm/meta')).toMatchObject({ promised: 2, promisedOwner: 'a', commitIndex: 5 });
  });
});
