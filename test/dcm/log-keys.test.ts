// Log keys: the store's layout (dcm/log/<index, 12 wide>) and one string per entry from its put to its delete.
import { describe, expect, it } from 'vitest';
import { logKey, LogKeys } from '../../src/dcm/log-keys';
import { Persistence } from '../../src/dcm/persistence';
import type { Entry } from '../../src/dcm/entries';
import { asEpoch, asPeerId } from '../../src/core/ids';

describe('log keys', () => {
  it('pads the index to 12 digits after dcm/log/ (store layout), and longer indices stay whole', () => {
    expect(logKey(0)).toBe('dcm/log/000000000000');
    expect(logKey(1234)).toBe('dcm/log/000000001234');
    expect(logKey(999_999_999_999)).toBe('dcm/log/999999999999');
    expect(logKey(1_000_000_000_000)).toBe('dcm/log/1000000000000');
  });

  it('hands the put key of an entry to its delete once, then builds fresh ones', () => {
    const keys = new LogKeys();
    const entry: Entry = { type: 'term', epoch: asEpoch(1), leader: asPeerId('p') };
    const put = Persistence.entryOps(7, 6, [entry], keys)[0];
    const del = Persistence.snapshotOps({ index: 7, epoch: asEpoch(1), members: [], molecules: [], delivered: [], commits: [] }, 6, false, keys)[1];
    expect(put).toMatchObject({ type: 'put', key: 'dcm/log/000000000007', frozen: true });
    expect(del).toEqual({ type: 'delete', key: 'dcm/log/000000000007' });
    expect(put?.type === 'put' && del?.type === 'delete' && put.key === del.key).toBe(true);
    expect(keys.take(7)).toBe('dcm/log/000000000007');
  });

  it('gives the right key on every path: in order, compacted in bulk, below the kept range, past a gap, a cut tail rewritten', () => {
    const keys = new LogKeys();
    for (let i = 1; i <= 3000; i++) expect(keys.key(i)).toBe(logKey(i));
    for (let i = 1; i <= 2500; i++) expect(keys.take(i)).toBe(logKey(i)); // drops the taken front in bulk
    expect(keys.take(2)).toBe(logKey(2)); // taken before: a fresh key
    expect(keys.key(2)).toBe(logKey(2)); // below the kept range
    for (let i = 3000; i > 2900; i--) expect(keys.take(i)).toBe(logKey(i)); // a cut tail
    for (let i = 2901; i <= 3100; i++) expect(keys.key(i)).toBe(logKey(i)); // rewritten and extended
    expect(keys.key(9000)).toBe(logKey(9000)); // past a gap: starts over there
    expect(keys.take(2600)).toBe(logKey(2600));
    expect(keys.take(9000)).toBe(logKey(9000));
    keys.clear();
    expect(keys.take(9000)).toBe(logKey(9000));
  });
});
