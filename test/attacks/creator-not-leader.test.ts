// The room's creator is not the peer the lease picks: two peers open the link (they may not start a
// history), one of them takes the lease first, then the creator joins (`newHistory: true`) — or the user of
// the other one presses "Start a new history". The room has no history yet, and only that peer may start
// one: the leader must not wait for it for good (before the promise's `mayStart`, the room stayed at
// commit 0 with its leader recovering for as long as we watched).
import { describe, expect, it } from 'vitest';
import type { JoinedRoom } from '../../src/join/types';
import { counter } from '../../src/reactors/counter';
import { nodeRooms } from '../node/node-rooms';

const rooms = nodeRooms('kinetic-creator-');

const until = async (what: string, cond: () => boolean, ms: number): Promise<void> => {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
};

const state = (peers: readonly JoinedRoom[]): string => peers.map((p) => `${p.room.status().role}@${p.room.status().epoch}/${p.room.status().commitIndex}`).join(' ');

async function started(peers: readonly JoinedRoom[]): Promise<void> {
  await until('the history to start', () => peers.every((p) => p.room.status().commitIndex > 0), 30_000).catch((e: Error) => {
    throw new Error(`${e.message}; now ${state(peers)}`);
  });
}

/** Two peers open the room's link; one of them takes the lease (and may not start a history). */
async function twoLinkOpeners(room: string) {
  const link = await rooms.link(room);
  const join = (name: string, newHistory: boolean) => rooms.join(link, { reactors: { counter }, name, newHistory });
  const bob = await join('bob', false);
  const cy = await join('cy', false);
  await until('a link-opener to take the lease', () => [bob, cy].some((p) => p.room.status().role !== 'replica'), 20_000);
  return { bob, cy, join };
}

describe('a link-opener leads a room that has no history yet', () => {
  it('the creator joins after a link-opener took the lease: the history starts', async () => {
    const { bob, cy, join } = await twoLinkOpeners('creator-late');
    const ada = await join('ada', true);
    ada.emit.counter.count(0);
    ada.emit.counter.incr();
    await started([ada, bob, cy]);
    expect(await ada.emit.counter.read()).toBe(1);
  }, 90_000);

  it('"Start a new history" on the peer that does not lead starts it', async () => {
    const { bob, cy } = await twoLinkOpeners('new-history-pressed');
    await new Promise((r) => setTimeout(r, 1500)); // both wait for a history nobody holds, as they should
    expect([bob, cy].map((p) => p.room.status().commitIndex)).toEqual([0, 0]);
    const follower = bob.room.status().role === 'replica' ? bob : cy;
    follower.room.startNewHistory();
    follower.emit.counter.count(0);
    follower.emit.counter.incr();
    await started([bob, cy]);
    expect(await follower.emit.counter.read()).toBe(1);
    expect(bob.room.status().genesis).toBe(cy.room.status().genesis);
  }, 90_000);
});
