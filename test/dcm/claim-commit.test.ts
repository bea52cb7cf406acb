// A commit that makes its own claim (`claim: true`): an optimistic holder whose body finished in the turn
// that claimed sends one message, not a claim and a commit (requester.ts). The sequencer grants it by the
// rules of a claim (sequencer.ts #grant): available inputs, not claimed by anyone else, the current epoch.
import { describe, expect, it } from 'vitest';
import { seededRandom, type Clock, type TimerHandle } from '../../src/core/clock';
import { asMoleculeId, asPeerId, asReactorId, type Epoch } from '../../src/core/ids';
import { defaultTimings, type RoomContext } from '../../src/dcm/context';
import { FreshEmissions } from '../../src/dcm/fresh';
import { RequestIds } from '../../src/dcm/ids';
import type { Message } from '../../src/dcm/messages';
import { Outgoing } from '../../src/dcm/outgoing';
import { Replica } from '../../src/dcm/replica';
import { Requester } from '../../src/dcm/requester';
import { World } from './room-harness';

describe('a commit that makes its claim', () => {
  it('is granted and committed by the rules of a claim, and answered only when refused', async () => {
    const w = new World();
    await w.start();
    const c = w.probe('c');
    const d = w.probe('d');
    await w.run(300);
    expect(w.room.status().role).toBe('sequencer');
    const reactor = asReactorId('r');
    const item = (seq: number) => ({ source: 'c~1', seq, molecule: { id: `c~1:${seq}`, reactor, name: 'x', value: seq } });
    c.send(w.a, { type: 'emit', items: [item(1), item(2), item(3)] });
    await w.run(100);
    const epoch = w.room.status().epoch;
    const commit = (by: string, n: number, id: string, e = epoch) => ({ v: 1, type: 'commit', epoch: e, claimId: `${by}:b:c${n}`, reaction: 'w', consumed: [id], produced: [], replies: [], claim: true });
    const results = (p: { got: Message[] }): Message[] => p.got.filter((m) => m.type === 'claim-result' || m.type === 'commit-result');
    const values = () => w.room.peek(reactor, 'x').map((m) => m.value as number).sort();

    c.send(w.a, commit('c', 1, 'c~1:1'));
    await w.run(100);
    expect(values()).toEqual([2, 3]);
    expect(results(c)).toEqual([]);

    // An input someone else holds a claim on: refused, and told at once; the claim stays d's.
    d.send(w.a, { v: 1, type: 'claim', epoch, claimId: 'd:b:c1', ids: ['c~1:2'] });
    await w.run(50);
    c.send(w.a, commit('c', 2, 'c~1:2'));
    await w.run(100);
    expect(results(c)).toMatchObject([{ type: 'commit-result', claimId: 'c:b:c2', ok: false }]);
    d.send(w.a, { v: 1, type: 'commit', epoch, claimId: 'd:b:c1', reaction: 'w', consumed: ['c~1:2'], produced: [], replies: [] });
    await w.run(100);
    expect(values()).toEqual([3]);

    // Gone already, or of another epoch: refused.
    c.send(w.a, commit('c', 3, 'c~1:1'));
    c.send(w.a, commit('c', 4, 'c~1:3', epoch + 1));
    await w.run(100);
    expect(results(c).slice(1)).toMatchObject([
      { type: 'commit-result', claimId: 'c:b:c3', ok: false },
      { type: 'commit-result', claimId: 'c:b:c4', ok: false },
    ]);
    expect(values()).toEqual([3]);

    // Under another peer's claim id: refused as a forgery, nothing recorded for the id.
    d.send(w.a, commit('c', 5, 'c~1:3'));
    await w.run(100);
    expect(values()).toEqual([3]);
  });

  it('Outgoing.replace puts a message in the place of one still queued, and says when it has left', () => {
    const sent: { to: string; m: unknown }[] = [];
    const deferred: (() => void)[] = [];
    const out = new Outgoing((to, m) => (sent.push({ to, m }), true), (fn) => void deferred.push(fn));
    const p = asPeerId('p');
    const a = { v: 1, type: 'release', epoch: 1, claimId: 'x:y:1' } as Message;
    const b = { v: 1, type: 'release', epoch: 1, claimId: 'x:y:2' } as Message;
    const c = { v: 1, type: 'release', epoch: 1, claimId: 'x:y:3' } as Message;
    out.send(p, a);
    out.send(p, b);
    expect(out.replace(p, a, c)).toBe(true);
    expect(out.replace(asPeerId('q'), b, c)).toBe(false);
    for (const fn of deferred) fn();
    expect(sent).toEqual([{ to: 'p', m: { v: 1, type: 'batch', messages: [c, b] } }]);
    expect(out.replace(p, b, a)).toBe(false); // left already
  });

  it('the requester sends claim + commit of one turn as one commit; a commit after the claim left goes on its own', async () => {
    const R = asReactorId('r');
    const leader = { leader: asPeerId('a'), epoch: 2 as Epoch };
    const clock: Clock = { now: () => 0, setTimeout: () => 0 as unknown as TimerHandle, clearTimeout: () => undefined };
    const replica = new Replica();
    for (let i = 1; i <= 2; i++) replica.appendTail(i, { type: 'emit', epoch: leader.epoch, source: 'b~x', seq: i, molecule: { id: asMoleculeId(`b~x:${i}`), reactor: R, name: 'job', value: i } });
    // A turn's queue (what Outgoing holds until the flush) and what left.
    let queued: Message[] = [];
    const left: Message[] = [];
    const flush = () => ((left.push(...queued), (queued = [])));
    const replace = (_to: unknown, old: Message, m: Message) => {
      const i = queued.indexOf(old);
      if (i < 0) return false;
      queued[i] = m;
      return true;
    };
    const ctx = { self: asPeerId('b'), clock, random: seededRandom(1), timings: defaultTimings, rlog: { replica }, send: (_to: unknown, m: Message) => queued.push(m), replace, record: () => undefined } as unknown as RoomContext;
    const requester = new Requester(ctx, { mode: 'optimistic', ids: new RequestIds(asPeerId('b'), 'boot'), notify: () => undefined, fresh: new FreshEmissions(() => undefined), preferred: () => true, leader: () => leader, claimedHere: () => false });

    const g1 = await requester.claim(leader, R, 'work', [asMoleculeId('b~x:1')]);
    if (!g1) throw new Error('no grant');
    void requester.commit(g1, []);
    flush();
    expect(left).toMatchObject([{ type: 'commit', claimId: g1.claimId, consumed: ['b~x:1'], claim: true }]);

    const g2 = await requester.claim(leader, R, 'work', [asMoleculeId('b~x:2')]);
    if (!g2) throw new Error('no grant');
    flush(); // the body outlived the turn
    void requester.commit(g2, []);
    flush();
    expect(left.slice(1)).toMatchObject([{ type: 'claim', claimId: g2.claimId }, { type: 'commit', claimId: g2.claimId }]);
    expect(left[2]).not.toHaveProperty('claim');
  });
});
