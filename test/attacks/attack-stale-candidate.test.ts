// Red team on recovery (docs/protocol.md, "Recovery"): a peer that was away while the room's configuration
// moved on entirely comes back first and wins the lease. Its own log names the old members; its recovery
// counts positions only from members of a configuration it knows and waits for a majority of its initial
// members — who are gone for good — while every current member is online and promising.
//
// Was open (reported by the attack helper): in every seed the stale peer held the lease in 'recovering'
// forever and the current members, all online, applied nothing. Fixed in src/dcm/recovery.ts: a recovery not
// complete after PATIENCE_RESENDS resend periods, waiting on members that are not linked while others are,
// gives its term back, and the lease goes to the next candidate, whose configuration is the current one.
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import { attackWorld, type Honest } from './harness';

const reactor = asReactorId('r');

async function schedule(seed: number) {
  const w = attackWorld(seed);
  const start = async (p: Honest): Promise<Honest> => {
    await p.room.start();
    await p.transport.connect();
    return p;
  };
  const crash = (p: Honest): void => {
    p.alive = false;
    p.transport.crash();
  };
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => start(w.honest(n))));
  await w.run(1500);
  // a goes away (a tab put to sleep); d and e join; b and c leave cleanly: the configuration is {d, e}.
  crash(a!);
  await w.run(800);
  const d = await start(w.honest('d'));
  const e = await start(w.honest('e'));
  await w.run(1500);
  for (const p of [b!, c!]) {
    const stopping = p.room.stop(); // a clean leave hands the sequencer role over first: run the clock meanwhile
    await w.run(600);
    await stopping;
    crash(p);
  }
  await w.run(1500);
  const members = d.room.status().members;
  // Every current member goes (their browser closes); a comes back first, alone, and takes the lease; then
  // the current members come back.
  crash(d);
  crash(e);
  await w.run(1000);
  const a2 = await start(w.honest('a', a!.backing));
  await w.run(1500);
  const d2 = await start(w.honest('d', d.backing));
  const e2 = await start(w.honest('e', e.backing));
  await w.run(5000);
  d2.room.emit(reactor, 'n', 1);
  await w.run(3000);
  const applied = [d2, e2].every((p) => p.room.peek(reactor, 'n').length === 1);
  return { members, applied, a: a2.room.status(), d: d2.room.status() };
}

describe('attack: a stale peer wins the lease after the configuration moved on', () => {
  it('the current members make progress again', async () => {
    const stuck: string[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      const r = await schedule(seed);
      if (!r.applied) stuck.push(`seed ${seed}: configuration ${r.members.join(',')}; a ${r.a.role} at epoch ${r.a.epoch} with members ${r.a.members.join(',')}; d has outbox ${r.d.outbox}`);
    }
    expect(stuck).toEqual([]);
  }, 120_000);
});
