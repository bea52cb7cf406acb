// Red team on named histories: a key holder outside the history (it holds the room key, not the lease)
// forges a history name for a fresh joiner. A replica without history takes the name of the first
// append or snapshot whose ballot it admits (genesis.ts `join`), and keeps it for good: if the forger's
// ballot is admitted while the joiner's election names nobody yet, the joiner belongs to a history that
// does not exist, refuses the room's real history by name forever, and never catches up.
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import { room3 } from './harness';

const reactor = asReactorId('r');

describe('attack: a forged history name for a fresh joiner', () => {
  it('the joiner still joins the room\'s real history and catches up', async () => {
    const problems: string[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const { w, x, sequencer } = await room3(seed);
      const real = sequencer.room.status().genesis;
      sequencer.room.emit(reactor, 'n', 1);
      await w.run(300);
      // Half the seeds: the joiner arrives in a lease gap (the sequencer just crashed: nobody is elected).
      const gap = seed % 2 === 0;
      if (gap) {
        sequencer.alive = false;
        sequencer.transport.crash();
      }
      const f = w.honest('f');
      await f.room.start();
      await f.transport.connect();
      // From the moment the joiner is reachable, the forger offers it a history of its own, under small
      // epochs (within any bounded step) and under the room's next one.
      const epoch = sequencer.room.status().epoch;
      for (let i = 0; i < 40; i++) {
        for (const e of [1, 2, epoch, epoch + 1]) {
          const term = { type: 'term', epoch: e, leader: x.id, genesis: 'gFORGED' };
          x.send(f.id, { v: 1, type: 'append', epoch: e, owner: `${x.id}~1`, leader: x.id, prevIndex: 0, prevEpoch: 0, entries: [term], commitIndex: 0, durable: 1, genesis: 'gFORGED' });
        }
        await w.run(10);
      }
      await w.run(3000);
      const s = f.room.status();
      // The forged appends reached the joiner and were answered (refused), so the attack was live.
      if (!x.heard.some((h) => h.from === f.id && h.message.type === 'append-ack')) problems.push(`seed ${seed}: the forged appends were never answered`);
      if (s.genesis !== real) problems.push(`seed ${seed}${gap ? ' (lease gap)' : ''}: the joiner holds history ${s.genesis ?? 'none'}, not ${real} (other histories: ${JSON.stringify(s.otherHistories ?? [])})`);
      if (f.room.peek(reactor, 'n').length !== 1) problems.push(`seed ${seed}${gap ? ' (lease gap)' : ''}: the joiner never caught up (${JSON.stringify(s)})`);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
