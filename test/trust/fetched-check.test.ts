// The checks a recovering sequencer makes on a fetched log before adopting it (src/dcm/fetched-check.ts).
import { describe, expect, it } from 'vitest';
import { asClaimId, asEpoch, asMoleculeId, asPeerId, asReactorId } from '../../src/core/ids';
import type { Entry } from '../../src/dcm/entries';
import { fetchedProblem } from '../../src/dcm/fetched-check';

const reactor = asReactorId('r');
const term = (epoch: number): Entry => ({ type: 'term', epoch: asEpoch(epoch), leader: asPeerId('p1') });
const emit = (epoch: number, seq: number, id = `p1~a:${seq}`): Entry => ({ type: 'emit', epoch: asEpoch(epoch), source: 'p1~a', seq, molecule: { id: asMoleculeId(id), reactor, name: 'n', value: seq } });
const commit = (epoch: number, claim: string, holder: string, produced: string[]): Entry => ({
  type: 'commit',
  epoch: asEpoch(epoch),
  claimId: asClaimId(claim),
  holder: asPeerId(holder),
  reaction: 'take',
  consumed: [],
  produced: produced.map((id) => ({ id: asMoleculeId(id), reactor, name: 'out', value: 1 })),
  replies: [],
});
const fetched = (entries: Entry[], prevIndex = 0, prevEpoch = 0) => ({ snapshot: null, prevIndex, prevEpoch, entries });

describe('a fetched log is adopted only when it is shaped like an honest one', () => {
  const good = [term(1), emit(1, 1), commit(1, 'p2:b:c0', 'p2', ['p2:b:c0.0']), term(3), emit(3, 2)];

  it('accepts an honest log that reaches the claimed position', () => {
    expect(fetchedProblem(fetched(good), { lastIndex: 5, lastEpoch: 3 }, 4, 1)).toBeNull();
    expect(fetchedProblem(fetched(good.slice(2), 2, 1), { lastIndex: 5, lastEpoch: 3 }, 4, 3)).toBeNull();
  });

  it('refuses a log that ends elsewhere than the promise claimed, or starts elsewhere than asked', () => {
    expect(fetchedProblem(fetched(good), { lastIndex: 6, lastEpoch: 3 }, 4, 1)).toMatch(/claimed 6@3/);
    expect(fetchedProblem(fetched(good), { lastIndex: 5, lastEpoch: 2 }, 4, 1)).toMatch(/claimed 5@2/);
    expect(fetchedProblem(fetched(good.slice(1), 1, 1), { lastIndex: 5, lastEpoch: 3 }, 4, 3)).toMatch(/asked from 3/);
  });

  it('refuses entries of the term being recovered, epochs that go back, and a term without its term entry', () => {
    expect(fetchedProblem(fetched([...good, term(4)]), { lastIndex: 6, lastEpoch: 4 }, 4, 1)).toMatch(/recovering epoch 4/);
    expect(fetchedProblem(fetched([term(3), emit(1, 1)]), { lastIndex: 2, lastEpoch: 1 }, 4, 1)).toMatch(/epoch 1 after 3/);
    expect(fetchedProblem(fetched([term(1), emit(2, 1)]), { lastIndex: 2, lastEpoch: 2 }, 4, 1)).toMatch(/without its term entry/);
  });

  it('refuses entries whose ids do not name what they say', () => {
    expect(fetchedProblem(fetched([term(1), emit(1, 1, 'p2~b:1')]), { lastIndex: 2, lastEpoch: 1 }, 4, 1)).toMatch(/carries copy p2~b:1/);
    expect(fetchedProblem(fetched([term(1), commit(1, 'p2:b:c0', 'p3', [])]), { lastIndex: 2, lastEpoch: 1 }, 4, 1)).toMatch(/held by p3/);
    expect(fetchedProblem(fetched([term(1), commit(1, 'p2:b:c0', 'p2', ['p1~a:7'])]), { lastIndex: 2, lastEpoch: 1 }, 4, 1)).toMatch(/other ids/);
    expect(fetchedProblem(fetched([term(1), { type: 'config', epoch: asEpoch(1), members: [asPeerId('p1'), asPeerId('p1')] }]), { lastIndex: 2, lastEpoch: 1 }, 4, 1)).toMatch(/twice/);
  });
});
