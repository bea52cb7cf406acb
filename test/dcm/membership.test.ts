// Configuration changes as deterministic schedules: one real room (`a`) and a raw probe peer (`b`) that plays
// the other replica exactly. Soak seed 76990 (3 peers + a late fresh joiner, write failures): a sequencer
// whose configuration was {p1} — it had been removed while its store failed — saw p1 stop on a failed write
// and leave, and removed it: the configuration in effect became empty. Nothing could commit under it (no
// majority of nobody), and every later candidate took the empty configuration for "no history here": the
// room, and the late joiner waiting for its history, stayed at commit 0 for good.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/dcm/messages';
import { World, type Probe } from './room-harness';

type Of<T extends Message['type']> = Extract<Message, { type: T }>;

/**
 * Plays replica `b` for the room's sequencer: promises every ballot, acknowledges every append as durable.
 * `answer()` answers what arrived since its last call (nothing while `down`). With `leaveAfterTerm`, right
 * after acknowledging the new sequencer's term entry b's store fails: it says it leaves and goes down.
 */
function follower(w: World, b: Probe): { answer(): void; down: boolean; leaveAfterTerm: boolean } {
  let seen = 0;
  const state = { down: false, leaveAfterTerm: false, answer };
  function answer(): void {
    for (const m of b.got.slice(seen)) {
      if (state.down) break;
      if (m.type === 'recover') {
        const r = m as Of<'recover'>;
        b.send(w.a, { type: 'promise', epoch: r.epoch, ok: true, lastIndex: 2, lastEpoch: 1, commitIndex: 2, base: 0, members: ['b'], genesis: 'g76990' });
      }
      if (m.type === 'append') {
        const a = m as Of<'append'>;
        const match = a.prevIndex + a.entries.length;
        b.send(w.a, { type: 'append-ack', epoch: a.epoch, ok: true, matchIndex: match, hint: match + 1 });
        if (state.leaveAfterTerm && a.entries.some((e) => e.type === 'term' && e.epoch > 1)) {
          b.send(w.a, { type: 'leave' });
          state.down = true;
        }
      }
    }
    seen = b.got.length;
  }
  return state;
}

describe('configuration changes', () => {
  it('soak seed 76990: the only member of a sequencer’s configuration leaves — the sequencer adds itself, it never proposes an empty configuration', async () => {
    const w = new World();
    w.lease.up = false; // b leads epoch 1 first: nobody elected yet, so the room admits b's bounded ballot
    await w.start();
    const b = w.probe('b');
    await w.run(20);
    b.send(w.a, { type: 'recover', epoch: 1, owner: 'b~1' });
    await w.run(20);
    // b's history: its term and the configuration {b}. `a` stores it but is no member (it was removed).
    const entries = [
      { type: 'term', epoch: 1, leader: 'b', genesis: 'g76990' },
      { type: 'config', epoch: 1, members: ['b'] },
    ];
    b.send(w.a, { type: 'append', epoch: 1, owner: 'b~1', leader: 'b', prevIndex: 0, prevEpoch: 0, entries, commitIndex: 2, genesis: 'g76990' });
    await w.run(20);
    expect(w.room.status()).toMatchObject({ commitIndex: 2, members: ['b'] });

    // The lease comes back and elects `a`, which recovers from {b} (b promises) and opens its term. b
    // acknowledges the term entry (it commits), then its store fails: it stops, says it leaves, reloads.
    const f = follower(w, b);
    f.leaveAfterTerm = true;
    w.lease.up = true;
    const members: string[][] = [];
    const step = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 5) {
        f.answer();
        await w.run(5);
        members.push([...w.room.status().members]);
      }
    };
    await step(1500);
    expect(f.down).toBe(true);
    expect(w.room.status()).toMatchObject({ role: 'sequencer' });
    expect(w.room.status().commitIndex).toBeGreaterThan(2);
    // The only member cannot be removed (a majority of nobody commits nothing): `a` adds itself first,
    // which needs b's acknowledgement, so the room waits for b.
    expect(members.filter((m) => m.length === 0)).toEqual([]);
    expect(w.room.status().members).toEqual(['b', 'a']);
    const stuckAt = w.room.status().commitIndex;

    // b is back (reloaded from its store) and acknowledges: the configuration {b, a} commits and the room moves.
    f.down = false;
    await step(500);
    expect(members.filter((m) => m.length === 0)).toEqual([]);
    expect(w.room.status().commitIndex).toBeGreaterThan(stuckAt);
    expect(w.room.status().members).toContain('a');
  });
});
