// A lone copy every host keeps reaching for: the README's counter, read by every peer in a loop (the
// stranger's Vite page: `setInterval(() => room.emit.counter.read(), 500)` in three tabs). The lone `count`
// goes to the sequencer first (affinity), and each read there makes a new copy held back from the others
// from scratch: before src/dcm/starving.ts the two peers without the sequencer got no answer at all in 12 s
// (Chromium and Firefox tabs the same: their reads never resolved). A blocking read only its caller's peer
// can run must be answered there too.
import { describe, expect, it } from 'vitest';
import type { JoinedRoom } from '../../src/join/types';
import { counter } from '../../src/reactors/counter';
import { nodeRooms } from '../node/node-rooms';

/** Every peer reads this often; all three timers run in one process, so they fire together (the worst case). */
const PERIOD = 150;
const NAMES = ['ada', 'bob', 'cy'];
const rooms = nodeRooms('kinetic-lone-');

describe('a lone copy read by every host in a loop', () => {
  it('answers every peer, not only the sequencer', async () => {
    const link = await rooms.link('lone-copy');
    const peers: JoinedRoom<{ counter: typeof counter }>[] = [];
    for (const [i, name] of NAMES.entries()) {
      const p = await rooms.join(link, { reactors: { counter }, name, newHistory: i === 0 });
      peers.push(p);
      p.emit.counter.count(0);
    }
    await Promise.all(peers.map((p) => p.connected));
    const answered = peers.map(() => 0);
    const WANT = 5;
    const end = Date.now() + 40_000;
    const done = (): boolean => answered.every((n) => n >= WANT);
    // Each peer reads every 150 ms, as a page's timer does (reads pile up when one does not answer).
    const loops = peers.map(async (p, i) => {
      while (Date.now() < end && !done()) {
        void p.emit.counter.read().then(
          () => {
            answered[i] = (answered[i] ?? 0) + 1;
          },
          () => undefined, // unanswered when the peer closes: counted as not answered
        );
        await new Promise((r) => setTimeout(r, PERIOD));
      }
    });
    await Promise.all(loops);
    const roles = peers.map((p) => `${p.room.status().role}@${p.room.status().epoch}/${p.room.status().commitIndex}`);
    for (const [i, n] of answered.entries()) expect(n, `reads answered on ${NAMES[i]} (answered ${answered}, roles ${roles})`).toBeGreaterThanOrEqual(WANT);
  }, 90_000);
});
