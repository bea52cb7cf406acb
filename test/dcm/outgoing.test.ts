// Outgoing: a turn's messages leave per peer, in order, as one batch each; a peer that waits on them
// (`hurry`: the holder of a commit in a room of three) gets its batch first, whatever order the turn queued in.
import { describe, expect, it } from 'vitest';
import { asClaimId, asEpoch, asPeerId, type PeerId } from '../../src/core/ids';
import { msg, type Message } from '../../src/dcm/messages';
import { Outgoing } from '../../src/dcm/outgoing';

function outgoingUnderTest() {
  const sent: { to: PeerId; message: unknown }[] = [];
  const deferred: (() => void)[] = [];
  const out = new Outgoing((to, message) => sent.push({ to, message }) > 0, (fn) => void deferred.push(fn));
  const endTurn = (): void => {
    for (const fn of deferred.splice(0)) fn();
  };
  return { out, sent, endTurn };
}

const release = (claimId: string): Message => msg('release', { epoch: asEpoch(1), claimId: asClaimId(claimId) });
const [a, b, c] = ['a', 'b', 'c'].map(asPeerId) as [PeerId, PeerId, PeerId];

describe('outgoing', () => {
  it('sends each peer its messages of the turn as one batch, peers in the order first queued', () => {
    const { out, sent, endTurn } = outgoingUnderTest();
    out.send(b, release('1'));
    out.send(a, release('2'));
    out.send(b, release('3'));
    expect(sent).toEqual([]);
    endTurn();
    expect(sent.map((s) => s.to)).toEqual([b, a]);
    expect((sent[0]?.message as { messages: { claimId: string }[] }).messages.map((m) => m.claimId)).toEqual(['1', '3']);
  });

  it('a hurried peer gets its batch first; the others keep their order; the next turn is not hurried', () => {
    const { out, sent, endTurn } = outgoingUnderTest();
    out.send(b, release('1'));
    out.send(c, release('2'));
    out.send(a, release('3'));
    out.hurry(a);
    endTurn();
    expect(sent.map((s) => s.to)).toEqual([a, b, c]);
    sent.length = 0;
    out.send(b, release('4'));
    out.send(a, release('5'));
    endTurn();
    expect(sent.map((s) => s.to)).toEqual([b, a]);
  });

  it('a hurry holds until something leaves for that peer (its message may come in a later flush of the turn)', () => {
    const { out, sent, endTurn } = outgoingUnderTest();
    out.hurry(a);
    out.send(b, release('1'));
    endTurn(); // a flush of what was queued before the message `a` waits for
    out.send(b, release('2'));
    out.send(a, release('3'));
    endTurn();
    expect(sent.map((s) => s.to)).toEqual([b, a, b]);
    sent.length = 0;
    out.send(b, release('4'));
    out.send(a, release('5'));
    endTurn();
    expect(sent.map((s) => s.to)).toEqual([b, a]);
  });
});
