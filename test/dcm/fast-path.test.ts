// The pieces that make emit → commit about one round trip: outgoing batches, own emissions matchable at
// once (fresh.ts) and commits learned by replicas from a majority's durable copies (learner.ts). Their
// safety is the simulation's job (and the mutation test's); these pin down each piece's own contract.
import { describe, expect, it } from 'vitest';
import { asClaimId, asEpoch, asMoleculeId, asPeerId, asReactorId, type PeerId } from '../../src/core/ids';
import type { CommitEntry, Entry } from '../../src/dcm/entries';
import { FreshEmissions } from '../../src/dcm/fresh';
import { Learner, waitingOn } from '../../src/dcm/learner';
import { msg, unbatch } from '../../src/dcm/messages';
import { Outgoing } from '../../src/dcm/outgoing';

const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(asPeerId) as [PeerId, PeerId, PeerId, PeerId, PeerId];

/** An Outgoing whose transport records what it sends and whose deferred flushes wait in `deferred`. */
function recording(): { sent: [PeerId, unknown][]; deferred: (() => void)[]; out: Outgoing } {
  const sent: [PeerId, unknown][] = [];
  const deferred: (() => void)[] = [];
  const out = new Outgoing(
    (to, m) => sent.push([to, m]) > 0,
    (fn) => deferred.push(fn),
  );
  return { sent, deferred, out };
}

describe('Outgoing', () => {
  it('sends one turn of messages to a peer as one batch, in order, and single messages as they are', () => {
    const { sent, deferred, out } = recording();
    const m1 = msg('release', { epoch: asEpoch(1), claimId: asClaimId('x') });
    const m2 = msg('renew', { epoch: asEpoch(1), claimIds: [asClaimId('y')] });
    const m3 = msg('leave', {});
    out.send(a, m1);
    out.send(b, m3);
    out.send(a, m2);
    expect(sent).toEqual([]);
    expect(deferred).toHaveLength(1);
    deferred[0]?.();
    expect(sent).toEqual([
      [a, { v: 1, type: 'batch', messages: [m1, m2] }],
      [b, m3],
    ]);
    expect(unbatch(sent[0]?.[1])).toEqual([m1, m2]);
    expect(unbatch(m3)).toEqual([m3]);
  });

  it('drops what was queued for a peer whose link went down', () => {
    const sent: PeerId[] = [];
    let flush = (): void => undefined;
    const out = new Outgoing(
      (to) => sent.push(to) > 0,
      (fn) => (flush = fn),
    );
    out.send(a, msg('leave', {}));
    out.send(b, msg('leave', {}));
    out.drop(a);
    flush();
    expect(sent).toEqual([b]);
  });

  it('runs what waits for the end of the turn before its messages leave, in the same batch', () => {
    const { sent, deferred, out } = recording();
    const m1 = msg('release', { epoch: asEpoch(1), claimId: asClaimId('x') });
    const m2 = msg('leave', {});
    const m3 = msg('renew', { epoch: asEpoch(1), claimIds: [asClaimId('y')] });
    // Nothing sent yet: the hook alone schedules the flush.
    out.beforeFlush(() => {
      out.send(a, m2);
      out.beforeFlush(() => out.send(a, m3)); // a hook's own hook runs in this flush too
    });
    out.send(a, m1);
    expect(deferred).toHaveLength(1);
    deferred[0]?.();
    expect(sent).toEqual([[a, { v: 1, type: 'batch', messages: [m1, m2, m3] }]]);
    expect(deferred).toHaveLength(1); // no second flush
    out.beforeFlush(() => undefined);
    expect(deferred).toHaveLength(2);
  });

  it('refuses malformed and oversized batches', () => {
    expect(unbatch({ v: 1, type: 'batch', messages: 'nope' })).toBeNull();
    expect(unbatch({ v: 99, type: 'batch', messages: [] })).toBeNull();
    expect(unbatch({ v: 1, type: 'batch', messages: new Array(513).fill(null) })).toBeNull();
  });
});

describe('FreshEmissions', () => {
  const m = (n: number, name = 'job') => ({
    id: asMoleculeId(`s~1:${n}`),
    reactor: asReactorId('r'),
    name,
    value: n,
  });
  const leader = { leader: a, epoch: asEpoch(3) };

  it('offers its own emissions only to claims that go to the sequencer they were sent to', () => {
    const f = new FreshEmissions(() => undefined);
    f.add(m(1), leader);
    f.add(m(2, 'other'), leader);
    expect([...f.copies('r', 'job', leader)].map((x) => x.value)).toEqual([1]);
    expect(f.has(m(1).id, leader)).toBe(true);
    expect(f.has(m(1).id, { leader: b, epoch: asEpoch(3) })).toBe(false);
    expect(f.has(m(1).id, { leader: a, epoch: asEpoch(4) })).toBe(false);
    expect([...f.copies('r', 'job', null)]).toEqual([]);
  });

  it('forgets a copy once the log brought it back, and everything sent in older terms', () => {
    const f = new FreshEmissions(() => undefined);
    f.add(m(1), leader);
    f.add(m(2), { leader: b, epoch: asEpoch(4) });
    f.delete(m(1).id);
    expect(f.size).toBe(1);
    f.dropBefore(asEpoch(5));
    expect(f.size).toBe(0);
    expect([...f.copies('r', 'job', leader)]).toEqual([]);
  });

  it('calls a copy young only in the turn that emitted it', () => {
    const turnOver: (() => void)[] = [];
    const f = new FreshEmissions((fn) => void turnOver.push(fn));
    f.add(m(1), leader);
    f.add(m(2), leader);
    expect(turnOver).toHaveLength(1); // one deferred reset per turn
    expect(f.isYoung(m(1).id) && f.isYoung(m(2).id)).toBe(true);
    for (const fn of turnOver.splice(0)) fn();
    expect(f.isYoung(m(1).id)).toBe(false);
    expect([...f.copies('r', 'job', leader)].map((x) => x.value)).toEqual([1, 2]); // still fresh, just not young
    f.add(m(3), leader);
    expect(f.isYoung(m(3).id) && !f.isYoung(m(2).id)).toBe(true);
  });
});

describe('Learner', () => {
  const epochAt = (term: number) => (i: number) => (i >= 1 ? asEpoch(term) : undefined);

  it('commits what the sequencer and this replica both hold durably, in a room of three', () => {
    const l = new Learner();
    l.follow(a, asEpoch(2));
    l.accepted(5);
    l.leaderStored(5);
    expect(l.committable(b, [a, b, c], epochAt(2))).toBe(0); // our own copy is not durable yet
    l.madeDurable(5);
    expect(l.committable(b, [a, b, c], epochAt(2))).toBe(5);
  });

  it('needs a majority: in a room of five, one more replica acknowledgement', () => {
    const l = new Learner();
    l.follow(a, asEpoch(2));
    l.accepted(7);
    l.madeDurable(7);
    l.leaderStored(7);
    const members = [a, b, c, d, e];
    expect(l.committable(b, members, epochAt(2))).toBe(0);
    expect(l.acked(c, asEpoch(2), 6)).toBe(true);
    expect(l.committable(b, members, epochAt(2))).toBe(6);
  });

  it('never counts evidence from another term, nor beyond what this replica shares with the sequencer', () => {
    const l = new Learner();
    l.follow(a, asEpoch(2));
    l.accepted(4);
    l.madeDurable(9);
    expect(l.acked(c, asEpoch(1), 9)).toBe(false);
    l.leaderStored(9);
    expect(l.committable(b, [a, b, c], epochAt(2))).toBe(4);
    // Only an entry of the current term commits by counting (Raft §5.4.2).
    expect(l.committable(b, [a, b, c], epochAt(1))).toBe(0);
    // A new term forgets everything.
    l.follow(c, asEpoch(3));
    expect(l.committable(b, [a, b, c], epochAt(3))).toBe(0);
  });

  it('tells which peers wait on an append: commit holders and reply receivers, not the sender or self', () => {
    const commit = (holder: PeerId, to: PeerId[]): CommitEntry => ({
      type: 'commit',
      epoch: asEpoch(1),
      claimId: asClaimId(`c-${holder}`),
      holder,
      reaction: 'r',
      consumed: [],
      produced: [],
      replies: to.map((p) => ({ to: p, callId: 'k', value: null })),
    });
    const entries: Entry[] = [{ type: 'term', epoch: asEpoch(1), leader: a }, commit(b, [c]), commit(a, [d])];
    expect(waitingOn(entries, [a, e]).sort()).toEqual([b, c, d]);
  });
});
