// A replica outside the quorum may hear "committed" from the sequencer before the append carrying that
// commit reaches it: the copies the commit consumed still look available there. The requester must not
// offer (or claim) them again — each such claim only earned a fenced body (src/dcm/requester.ts, #spent) —
// and must offer them again if a later term shows the commit never made it into the log.
import { describe, expect, it } from 'vitest';
import { seededRandom, type Clock, type TimerHandle } from '../../src/core/clock';
import type { DistributedMolecule } from '../../src/core/distributed-port';
import { asMoleculeId, asPeerId, asReactorId, type Epoch } from '../../src/core/ids';
import type { LeaderInfo } from '../../src/dcm/acceptor';
import { defaultTimings, type RoomContext } from '../../src/dcm/context';
import type { Entry } from '../../src/dcm/entries';
import { FreshEmissions } from '../../src/dcm/fresh';
import { RequestIds } from '../../src/dcm/ids';
import { msg, type Message } from '../../src/dcm/messages';
import { Replica } from '../../src/dcm/replica';
import { Requester } from '../../src/dcm/requester';

const R = asReactorId('r');
const self = asPeerId('b');
const seq = asPeerId('a');
const leader: LeaderInfo = { leader: seq, epoch: 2 as Epoch };

const clock: Clock = { now: () => 0, setTimeout: () => 0 as unknown as TimerHandle, clearTimeout: () => undefined };

function setup(): { requester: Requester; replica: Replica; sent: Message[]; log: Entry[] } {
  const replica = new Replica();
  const sent: Message[] = [];
  // The parts of a room context the requester uses: real replica, clock, random and timings; sends recorded.
  const ctx = { self, clock, random: seededRandom(1), timings: defaultTimings, rlog: { replica }, send: (_to: unknown, m: Message) => sent.push(m), replace: () => false, record: () => undefined } as unknown as RoomContext;
  const requester = new Requester(ctx, {
    mode: 'optimistic',
    ids: new RequestIds(self, 'boot'),
    notify: () => undefined,
    fresh: new FreshEmissions(() => undefined),
    preferred: () => true,
    leader: () => leader,
    claimedHere: () => false,
  });
  const log: Entry[] = [];
  for (let i = 1; i <= 3; i++) {
    const molecule: DistributedMolecule = { id: asMoleculeId(`b~x:${i}`), reactor: R, name: 'job', value: i };
    log.push({ type: 'emit', epoch: leader.epoch, source: 'b~x', seq: i, molecule });
    replica.appendTail(log.length, log[log.length - 1] as Entry);
  }
  return { requester, replica, sent, log };
}

const offered = (r: Requester): string[] => [...r.available(R, 'job')].map((m) => m.id).sort();

describe('copies our own decided commits consumed', () => {
  it('are not offered nor claimed again before the commit entry reaches the replica, and leave once it is applied', async () => {
    const { requester, replica, sent, log } = setup();
    const x = asMoleculeId('b~x:1');
    const grant = await requester.claim(leader, R, 'work', [x]);
    expect(grant).not.toBeNull();
    if (!grant) return;
    void requester.commit(grant, []);
    requester.onCommitResult(seq, msg('commit-result', { claimId: grant.claimId, ok: true }));
    // The replica has not seen the commit entry yet: the copy still looks available there.
    expect(replica.isAvailable(x)).toBe(true);
    expect(offered(requester)).toEqual(['b~x:2', 'b~x:3']);
    const claims = sent.filter((m) => m.type === 'claim').length;
    expect(await requester.claim(leader, R, 'work', [x])).toBeNull();
    expect(sent.filter((m) => m.type === 'claim').length).toBe(claims);
    // The commit entry arrives and is applied: the copy is gone from the replica, and from the spent set.
    const commit: Entry = { type: 'commit', epoch: leader.epoch, claimId: grant.claimId, holder: self, reaction: 'work', consumed: [x], produced: [], replies: [] };
    log.push(commit);
    replica.appendTail(log.length, commit);
    for (let i = 1; i <= log.length; i++) requester.onApplied(replica.commitNext(i, log[i - 1] as Entry));
    expect(offered(requester)).toEqual(['b~x:2', 'b~x:3']);
  });

  it('are offered again when a later term begins without the commit (a sequencer that said committed and was wrong)', async () => {
    const { requester, replica, log } = setup();
    const x = asMoleculeId('b~x:2');
    const grant = await requester.claim(leader, R, 'work', [x]);
    if (!grant) throw new Error('claim refused');
    void requester.commit(grant, []);
    requester.onCommitResult(seq, msg('commit-result', { claimId: grant.claimId, ok: true }));
    expect(offered(requester)).toEqual(['b~x:1', 'b~x:3']);
    for (let i = 1; i <= log.length; i++) requester.onApplied(replica.commitNext(i, log[i - 1] as Entry));
    const term: Entry = { type: 'term', epoch: 3 as Epoch, leader: seq };
    requester.onApplied(replica.commitNext(log.length + 1, term));
    expect(offered(requester)).toEqual(['b~x:1', 'b~x:2', 'b~x:3']);
  });
});
