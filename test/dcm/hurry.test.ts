// In a room of three the append carrying a commit leaves first to whoever waits on it — its holder and the
// receivers of its replies (learner.ts `waitingOn`): each message to a peer is a relay write, and the relay
// wakes the receivers in the order the writes reach it (docs/scale.md, session 11).
import { describe, expect, it } from 'vitest';
import { asReactorId, type PeerId } from '../../src/core/ids';
import { unbatch, type Message } from '../../src/dcm/messages';
import { World } from './room-harness';

/** The peers each send since `from` went to, for the sends that carry an append with a commit. */
function commitAppendsTo(w: World, from: number): PeerId[] {
  const carriesCommit = (m: unknown): boolean =>
    ((unbatch(m) ?? []) as Message[]).some((x) => x.type === 'append' && x.entries.some((e) => e.type === 'commit'));
  // The first flush only: the probes never acknowledge, so the entries are sent again later.
  return w.sent.slice(from).filter((s) => carriesCommit(s.message)).map((s) => s.to).slice(0, 3);
}

describe('who hears of a commit first', () => {
  it('the holder, then the receivers of its replies, before the other peers', async () => {
    const w = new World();
    await w.start();
    const c = w.probe('c');
    w.probe('d');
    w.probe('e');
    await w.run(300);
    expect(w.room.status().role).toBe('sequencer');
    expect(w.room.status().members.length).toBeLessThanOrEqual(3);
    const reactor = asReactorId('r');
    const item = (seq: number) => ({ source: 'c~1', seq, molecule: { id: `c~1:${seq}`, reactor, name: 'x', value: seq } });
    c.send(w.a, { type: 'emit', items: [item(1), item(2)] });
    await w.run(100);
    const epoch = w.room.status().epoch;
    const commit = (n: number, replies: object[]) => ({ type: 'commit', epoch, claimId: `c:b:c${n}`, reaction: 'w', consumed: [`c~1:${n}`], produced: [], replies, claim: true });

    let mark = w.sent.length;
    c.send(w.a, commit(1, []));
    await w.run(100);
    const first = commitAppendsTo(w, mark);
    expect(first).toHaveLength(3);
    expect(first[0], `the holder first: ${first.join(' ')}`).toBe('c');

    mark = w.sent.length;
    c.send(w.a, commit(2, [{ to: 'd', callId: 'k1', value: 1 }]));
    await w.run(100);
    const second = commitAppendsTo(w, mark);
    expect(second).toHaveLength(3);
    expect(second[2], `the holder and the reply's receiver first: ${second.join(' ')}`).toBe('e');
  });
});
