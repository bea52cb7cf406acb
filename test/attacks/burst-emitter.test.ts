// An honest peer emitting a burst in one turn (a page seeding 40,000 jobs in a loop). Before the outbox sent
// at most MAX_SENT_PER_FLUSH per flush (src/dcm/outbox-sender.ts), every durable block reservation (one per
// 1,000 emissions) re-sent everything still queued: the sequencer's input grew faster than it could read it,
// and in 90 s the room applied none of the 40,000 (relayed 547 MB; 30,000 took 13.6 s and 130 MB, 20,000
// 8 s). Now 40,000 take 4-8 s at load 8 (61 MB relayed, most of it the log's appends coming back), the
// emitter is never cut off by the sequencer's inbound bound (inbound.ts), and every job reaches the room.
import { describe, expect, it } from 'vitest';
import { reactor } from '../../src/core/reactor';
import { nodeRooms } from '../node/node-rooms';

const rooms = nodeRooms('kinetic-burst-');
const N = 40_000;

const jobs = reactor({ name: 'burst-jobs', version: '1.0.0' }, (r) => {
  const job = r.molecule<number>('job', { distributed: true });
  const go = r.molecule('go', { distributed: true });
  r.react('take', [job, go], () => undefined); // `go` is never emitted: the jobs stay in the room
  return { job, go };
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a burst of emissions from one honest peer', () => {
  it('reaches the room whole, without resending the burst over and over, and the emitter is not cut off', async () => {
    const link = await rooms.link('burst');
    const ada = await rooms.join(link, { reactors: { jobs }, name: 'ada', newHistory: true });
    const bob = await rooms.join(link, { reactors: { jobs }, name: 'bob' });
    await Promise.all([ada.connected, bob.connected]);
    // Wait for a sequencer both follow; the other peer emits (its emissions cross the relay).
    const settled = () => {
      const [a, b] = [ada.room.status(), bob.room.status()];
      return a.sequencer !== null && a.sequencer === b.sequencer && a.role !== 'recovering' && b.role !== 'recovering' && a.genesis !== undefined && a.genesis === b.genesis && ada.members().length === 2;
    };
    for (const end = Date.now() + 30_000; Date.now() < end && !settled(); ) await sleep(50);
    expect(settled(), JSON.stringify([ada.room.status(), bob.room.status()])).toBe(true);
    const [seq, emitter] = ada.room.status().role === 'sequencer' ? [ada, bob] : [bob, ada];

    for (let i = 0; i < N; i++) emitter.emit.jobs.job(i);
    const state = () =>
      `sequencer ${JSON.stringify({ ...seq.room.status(), members: undefined })}; emitter outbox ${emitter.room.status().outbox}; seen as ${seq.members().find((m) => m.id === emitter.peerId)?.state}; relayed ${rooms.server().stats().relayedBytes}`;
    // Generous: 4-8 s at load 8; the bound is for a loaded machine.
    for (const end = Date.now() + 150_000; Date.now() < end && (seq.room.status().molecules < N || emitter.room.status().outbox > 0); ) await sleep(200);
    expect(seq.room.status().molecules, state()).toBe(N);
    expect(emitter.room.status().outbox, state()).toBe(0);
    expect(seq.members().find((m) => m.id === emitter.peerId)?.state, state()).toBe('up');
    expect(seq.mesh.stats().cutOffs, state()).toBe(0);
    // Each emission crosses the relay about twice (the emit, the log's append back); resends stay a fraction.
    expect(rooms.server().stats().relayedBytes / N, state()).toBeLessThan(5000);
  }, 200_000);
});
