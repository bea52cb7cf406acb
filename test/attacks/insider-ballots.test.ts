// A key holder running modified code tries to act as sequencer, poison every promise, or make a replica
// believe a majority stores what it does not (issue 16 items 5 and 6; issue 11's ballots). Each forged
// message must be refused and counted; the honest room keeps committing and keeps every molecule.
import { describe, expect, it } from 'vitest';
import { asClaimId, asEpoch, asMoleculeId, asPeerId, asReactorId } from '../../src/core/ids';
import { MAX_EPOCH } from '../../src/dcm/context';
import type { Entry, Snapshot } from '../../src/dcm/entries';
import { Learner } from '../../src/dcm/learner';
import { consumeOne, roles, room3, type Honest } from './harness';

const reactor = asReactorId('r');
const SETTLE = { afterEmitMs: 300, afterCommitMs: 400 };

describe('attack: forged ballots', () => {
  it('appends under a self-made newer epoch, another peer\'s ballot, and poisoned recovers are refused; the room goes on', async () => {
    const { w, peers, x, sequencer, replicas } = await room3(21);
    const victim = replicas[0] as Honest;
    victim.room.emit(reactor, 'keep', 'precious');
    await w.run(300);
    const precious = victim.room.peek(reactor, 'keep')[0];
    expect(precious).toBeDefined();
    const s = sequencer.room.status();
    const before = peers.map((p) => p.room.status().invalidMessages);
    const forge = (at: number, owner: string, leader = x.id): unknown => {
      const epoch = asEpoch(at);
      const entries: Entry[] = [
        { type: 'term', epoch, leader },
        { type: 'commit', epoch, claimId: asClaimId(`${x.id}:evil:c${epoch}`), holder: x.id, reaction: 'evil', consumed: [asMoleculeId(precious!.id)], produced: [], replies: [] },
      ];
      return { v: 1, type: 'append', epoch, owner, leader, prevIndex: s.lastIndex, prevEpoch: s.epoch, entries, commitIndex: s.lastIndex + 2, durable: s.lastIndex + 2 };
    };
    // Within the bounded step but not elected; far beyond it; under the sequencer's own ballot owner; near 2^53.
    x.toAll(forge(s.epoch + 1, `${x.id}~a`));
    x.toAll(forge(s.epoch + 1000, `${x.id}~b`));
    x.toAll(forge(s.epoch, `${sequencer.id}~stolen`, sequencer.id));
    x.toAll({ v: 1, type: 'recover', epoch: Number.MAX_SAFE_INTEGER - 1, owner: `${x.id}~c` });
    x.toAll({ v: 1, type: 'recover', epoch: MAX_EPOCH, owner: `${x.id}~d` });
    x.toAll({ v: 1, type: 'recover', epoch: s.epoch + 1, owner: `${sequencer.id}~e` });
    x.toAll({ v: 1, type: 'snapshot', epoch: s.epoch + 1, owner: `${x.id}~f`, leader: x.id, snapshot: { index: s.lastIndex + 5, epoch: asEpoch(s.epoch + 1), members: [x.id], molecules: [], delivered: [], commits: [] } satisfies Snapshot, entries: [], commitIndex: s.lastIndex + 5 });
    await w.run(500);
    for (const p of peers) {
      expect(p.room.peek(reactor, 'keep').map((m) => m.value)).toEqual(['precious']);
      expect(p.room.status().epoch).toBeLessThan(s.epoch + 64);
    }
    // Refused and counted (the ones that name another owner or jump too far), never applied.
    peers.forEach((p, i) => expect(p.room.status().invalidMessages).toBeGreaterThan(before[i] as number));
    expect(roles(peers).sequencer).toBe(sequencer);
    expect(await consumeOne(w, victim, reactor, 7, SETTLE)).toBe(true);
    expect(await consumeOne(w, sequencer, reactor, 8, SETTLE)).toBe(true);
  });

  it('a forged "leave" removes only its sender, and a stranger\'s append-acks do not make a learner count a majority', async () => {
    const { w, peers, x } = await room3(22);
    x.toAll({ v: 1, type: 'leave' });
    await w.run(300);
    for (const p of peers) expect([...p.room.status().members].sort()).toEqual(['p1', 'p2', 'p3']);
    // The learner counts acknowledgements of members only, one per link-authenticated sender.
    const learner = new Learner();
    const [p1, p2, p3] = [asPeerId('p1'), asPeerId('p2'), asPeerId('p3')];
    learner.follow(p1, asEpoch(4));
    learner.accepted(10);
    learner.madeDurable(10);
    expect(learner.acked(x.id, asEpoch(4), 10)).toBe(true); // heard, but x is no member of [p1, p2, p3]
    expect(learner.acked(p1, asEpoch(4), 10)).toBe(false); // the sequencer's copy counts only through its own `durable`
    expect(learner.committable(p2, [p1, p2, p3], () => asEpoch(4))).toBe(0);
    expect(learner.acked(p3, asEpoch(3), 10)).toBe(false); // evidence of another term
    expect(learner.committable(p2, [p1, p2, p3], () => asEpoch(4))).toBe(0);
    expect(learner.acked(p3, asEpoch(4), 10)).toBe(true);
    expect(learner.committable(p2, [p1, p2, p3], () => asEpoch(4))).toBe(10);
  });

  it('emits under another peer\'s source (its next seqs) are refused, and a huge seq under its own shadows nobody', async () => {
    const { w, peers, x, sequencer, replicas } = await room3(23);
    const victim = replicas[0] as Honest;
    victim.room.emit(reactor, 'v', 'first');
    await w.run(300);
    const first = victim.room.peek(reactor, 'v')[0];
    const at = first?.id.lastIndexOf(':') ?? -1;
    const [source, seq] = [first?.id.slice(0, at) as string, Number(first?.id.slice(at + 1))];
    const item = (src: string, n: number, value: unknown) => ({ source: src, seq: n, molecule: { id: `${src}:${n}`, reactor, name: 'v', value } });
    x.send(sequencer.id, { v: 1, type: 'emit', items: [1, 2, 3].map((d) => item(source, seq + d, 'forged')) });
    x.send(sequencer.id, { v: 1, type: 'emit', items: [item(`${x.id}~own`, Number.MAX_SAFE_INTEGER, 'huge'), item(`${x.id}~own`, 2 ** 52, 'huge too')] });
    await w.run(300);
    victim.room.emit(reactor, 'v', 'second');
    victim.room.emit(reactor, 'v', 'third');
    await victim.room.flush();
    await w.run(500);
    for (const p of peers) expect(p.room.peek(reactor, 'v').map((m) => m.value).sort()).toEqual(['first', 'huge', 'huge too', 'second', 'third']);
  });
});
