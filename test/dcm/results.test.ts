// What the sequencer answers a holder (sequencer.ts, #answerClaim and #decide): a claim whose commit came in
// the same burst gets no claim-result (the holder is past waiting for it), an accepted commit gets its
// commit-result only when it is sent again (the holder learns it from the log), a refused one at once, and
// a claim on its own its result.
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import type { Message } from '../../src/dcm/messages';
import { World } from './room-harness';

describe('claim and commit results', () => {
  it('answers only what the holder still needs to hear', async () => {
    const w = new World();
    await w.start();
    const c = w.probe('c');
    await w.run(300);
    expect(w.room.status().role).toBe('sequencer');
    const reactor = asReactorId('r');
    const item = (seq: number) => ({ source: 'c~1', seq, molecule: { id: `c~1:${seq}`, reactor, name: 'x', value: seq } });
    c.send(w.a, { type: 'emit', items: [item(1), item(2)] });
    await w.run(100);
    expect(w.room.peek(reactor, 'x').map((m) => m.value as number).sort()).toEqual([1, 2]);
    const epoch = w.room.status().epoch;
    const claim = (n: number, id: string) => ({ v: 1, type: 'claim', epoch, claimId: `c:b:c${n}`, ids: [id] });
    const commit = (n: number, id: string) => ({ v: 1, type: 'commit', epoch, claimId: `c:b:c${n}`, reaction: 'w', consumed: [id], produced: [], replies: [] });
    const results = (): Message[] => c.got.filter((m) => m.type === 'claim-result' || m.type === 'commit-result');

    // Claim + commit in one burst: consumed, and nothing to answer.
    c.send(w.a, { type: 'batch', messages: [claim(1, 'c~1:1'), commit(1, 'c~1:1')] });
    await w.run(100);
    expect(w.room.peek(reactor, 'x').map((m) => m.value)).toEqual([2]);
    expect(results()).toEqual([]);

    // The same commit sent again (the holder did not learn it): answered from what was decided.
    c.send(w.a, commit(1, 'c~1:1'));
    await w.run(100);
    expect(results()).toMatchObject([{ type: 'commit-result', claimId: 'c:b:c1', ok: true }]);

    // A claim on its own: its result, as the turn ends.
    c.send(w.a, claim(2, 'c~1:2'));
    await w.run(100);
    expect(results().slice(1)).toMatchObject([{ type: 'claim-result', claimId: 'c:b:c2', ok: true }]);

    // A commit under a claim never granted: refused, and told at once.
    c.send(w.a, commit(3, 'c~1:2'));
    await w.run(100);
    expect(results().slice(2)).toMatchObject([{ type: 'commit-result', claimId: 'c:b:c3', ok: false }]);
    expect(w.room.peek(reactor, 'x').map((m) => m.value)).toEqual([2]);
  });
});
