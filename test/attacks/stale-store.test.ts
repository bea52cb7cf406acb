// A peer's store restored from an older copy (a backup, a synced profile, a VM snapshot): DESIGN.md's fault
// model lists it. Acknowledged entries a stale replica forgot are a lost disk (no quorum protocol survives
// every such loss; `npm run sim` leaves this fault out by default), but the peer's own emissions need not
// be lost: this attack is about the outbox.
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import { attackWorld } from './harness';

const reactor = asReactorId('r');

describe('attack: a store restored from an older copy', () => {
  // Was broken: the restored store carried the same outbox source and an older block reservation, so the
  // restarted peer handed out seq 1 again; the room dropped it as a duplicate of the seq-1 emission made
  // before the restore, and the peer deleted it from its outbox — an emission whose flush() resolved was
  // lost. Fixed by an outbox source per process (src/dcm/outbox.ts).
  it('an emission flushed after a stale restore is delivered, not dropped as a duplicate of an older one', async () => {
    const w = attackWorld(61);
    const peers = ['p1', 'p2', 'p3'].map((n) => w.honest(n));
    for (const p of peers) {
      await p.room.start();
      await p.transport.connect();
    }
    await w.run(1500);
    const victim = peers[1];
    if (!victim) throw new Error('no peer');
    const copy = new Map(victim.backing.entries); // the backup, before any emission
    victim.room.emit(reactor, 'todo', 'before the backup was restored');
    await victim.room.flush();
    await w.run(500);
    victim.alive = false;
    victim.transport.crash();
    const restored = w.honest('p2', { entries: copy });
    await restored.room.start();
    await restored.transport.connect();
    await w.run(1500);
    restored.room.emit(reactor, 'todo', 'after the restore');
    await restored.room.flush();
    await w.run(1500);
    for (const p of [peers[0], peers[2], restored]) expect(p?.room.peek(reactor, 'todo').map((m) => m.value).sort()).toEqual(['after the restore', 'before the backup was restored']);
  });
});
