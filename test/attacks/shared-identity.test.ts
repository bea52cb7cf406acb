// Two tabs of one browser sharing one identity (no Web Locks: src/store/peer-identity.ts lets both claim
// it) run two processes of one peer over one store. DESIGN.md lists this in the fault model.
import { describe, expect, it } from 'vitest';
import { asEpoch, asPeerId, asReactorId } from '../../src/core/ids';
import type { Entry } from '../../src/dcm/entries';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory';
import { logKey, Persistence, StaleBallotError, StaleLogError } from '../../src/dcm/persistence';
import { StoredRuns } from '../../src/dcm/log-runs';
import { attackWorld } from './harness';

const reactor = asReactorId('r');

describe('attack: two tabs share one identity and one store', () => {
  // Was broken: both processes loaded the same outbox source and block reservation, so both handed out
  // seq 1; the room applied one and dropped the other as a duplicate, and the first process to see its key
  // applied deleted the store's outbox item, which the other had overwritten — an emission whose flush()
  // resolved was lost for good. Fixed by an outbox source per process (src/dcm/outbox.ts).
  it('an emission each tab flushed is delivered', async () => {
    const w = attackWorld(31);
    const a = w.honest('p1');
    const others = ['p2', 'p3'].map((n) => w.honest(n));
    // Tab B: the same peer id and the same store; the server refuses it as a duplicate peer, so it runs
    // offline on a network of its own (its emissions wait in the outbox, as the app promises).
    const solo = attackWorld(32);
    solo.lease.up = false;
    const b = solo.honest('p1', a.backing);
    for (const p of [a, ...others]) await p.room.start();
    await b.room.start();
    for (const p of [a, ...others]) await p.transport.connect();
    await w.run(1500);
    a.room.emit(reactor, 'todo', 'from tab A');
    b.room.emit(reactor, 'todo', 'from tab B');
    await a.room.flush();
    await b.room.flush();
    await w.run(500);
    // Tab A closes; tab B takes the identity over (a reload: a new process on the same store).
    await a.room.stop();
    a.transport.crash(); // the tab is gone
    await b.room.stop();
    const again = w.honest('p1', a.backing);
    await again.room.start();
    await again.transport.connect();
    await w.run(2000);
    for (const p of [again, ...others]) expect(p.room.peek(reactor, 'todo').map((m) => m.value).sort()).toEqual(['from tab A', 'from tab B']);
  });

  // Was open: the meta record (promise, commit index, block reservation) was written whole from each
  // process's memory, so the other tab's next write put back the promise it had loaded. Fixed: the record is
  // merged forward inside the store's transaction (src/dcm/persistence.ts mergeMeta, the Store's `merge` op).
  it('a promise one tab made durable is not rolled back by the other tab\'s write', async () => {
    const w = attackWorld(33);
    const a = w.honest('p1');
    const pa = new Persistence(createMemoryStore(a.backing), () => undefined);
    const pb = new Persistence(createMemoryStore(a.backing), () => undefined);
    await pa.load();
    await pb.load();
    await pa.write([], { promised: asEpoch(7), promisedOwner: 'p1~a', commitIndex: 3 }); // tab A promised ballot 7 (durably)
    await pb.write([], { nextSeqLimit: 1000, commitIndex: 2 }); // tab B reserves outbox seqs from its older memory
    await pb.write([], { promised: asEpoch(7), promisedOwner: 'p1~b' }); // and tries to promise the same number to another owner
    expect(pb.meta).toMatchObject({ promised: 7, promisedOwner: 'p1~a', commitIndex: 3, nextSeqLimit: 1000 }); // B learned what the store holds
    const reloaded = new Persistence(createMemoryStore(a.backing), () => undefined);
    expect((await reloaded.load()).meta).toMatchObject({ promised: 7, promisedOwner: 'p1~a', commitIndex: 3, nextSeqLimit: 1000 });
  });

  it('a tab whose sibling wrote the log since it loaded cannot write the log nor promise (its position is stale)', async () => {
    const backing = createMemoryBacking();
    const errors: Error[] = [];
    const pb = new Persistence(createMemoryStore(backing), (e) => errors.push(e));
    const pa = new Persistence(createMemoryStore(backing), () => undefined);
    await pb.load(); // tab B opens and keeps what it loaded in memory
    await pa.load();
    const entry = (epoch: number): Entry => ({ type: 'term', epoch: asEpoch(epoch), leader: asPeerId('p9') });
    await pa.write(Persistence.entryOps(1, [entry(3)], new StoredRuns()), { promised: asEpoch(3), promisedOwner: 'p9~x' }); // tab A stores an entry
    await pb.write([Persistence.outboxPut({ source: 'p1~b', seq: 1, reactor: 'r', name: 'n', value: 1 })], { nextSeqLimit: 10 }); // fine: not the log
    // B promising a newer ballot would answer with the log in its memory (empty): refused, B stops.
    await expect(pb.write([], { promised: asEpoch(4), promisedOwner: 'p8~y' })).rejects.toBeInstanceOf(StaleLogError);
    expect(errors.map((e) => e.name)).toEqual(['StaleLogError']);
    expect(await createMemoryStore(backing).load('dcm/meta')).toMatchObject({ promised: 3, nextSeqLimit: 10, logVersion: 1 });
    // A reload (a new process on the store) sees the log and writes on.
    const again = new Persistence(createMemoryStore(backing), () => undefined);
    expect((await again.load()).entries).toEqual([entry(3)]);
    await again.write(Persistence.entryOps(2, [entry(4)], new StoredRuns()), { promised: asEpoch(4), promisedOwner: 'p8~y' });
    expect(again.meta).toMatchObject({ promised: 4, logVersion: 2 });
  });

  it('a tab that still follows an older ballot cannot write the log under the newer one its sibling promised', async () => {
    const backing = createMemoryBacking();
    const errors: Error[] = [];
    const pb = new Persistence(createMemoryStore(backing), (e) => errors.push(e));
    await pb.load();
    const entry = (epoch: number): Entry => ({ type: 'term', epoch: asEpoch(epoch), leader: asPeerId('p9') });
    await pb.write(Persistence.entryOps(1, [entry(5)], new StoredRuns()), { promised: asEpoch(5), promisedOwner: 'p9~old' });
    const pa = new Persistence(createMemoryStore(backing), () => undefined); // tab A opens after B wrote
    await pa.load();
    await pa.write(Persistence.entryOps(1, [entry(7)], new StoredRuns()), { promised: asEpoch(7), promisedOwner: 'p8~new' }); // tab A moved to ballot 7
    // Tab B, still at ballot 5, accepts another entry of the old sequencer: refused inside the transaction,
    // nothing of it lands, and B stops (fail-stop) instead of acknowledging it.
    await expect(pb.write(Persistence.entryOps(1, [entry(5)], new StoredRuns()))).rejects.toBeInstanceOf(StaleBallotError);
    expect(errors.map((e) => e.name)).toEqual(['StaleBallotError']);
    expect(await createMemoryStore(backing).load(logKey(1))).toEqual([entry(7)]);
    // Meta-only writes of the stale tab still merge forward (an outbox reservation is not a log write).
    const pc = new Persistence(createMemoryStore(backing), () => undefined);
    await pc.load();
    await pc.write([], { nextSeqLimit: 50 });
    expect(pc.meta).toMatchObject({ promised: 7, promisedOwner: 'p8~new', nextSeqLimit: 50 });
  });
});
