// A burst of emissions in one turn travels as one emit message (emissions.ts): the sequencer handles it once,
// proposes its entries together and stores them as one log record — on a peer that follows the sequencer and
// on the sequencer's own host (its emissions reach it on a microtask). A message sent to the sequencer in
// between (a claim of one of the copies) ends the burst: what follows goes in a new message, after it.
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import type { Entry } from '../../src/dcm/entries';
import { LOG_PREFIX } from '../../src/dcm/log-runs';
import { HistoryRooms } from './history-rooms';

const reactor = asReactorId('r');

/** The emit entries of each log record in a peer's store (records in key order), as molecule values. */
function emitRecords(h: HistoryRooms, peer: string): number[][] {
  const out: number[][] = [];
  const entries = h.backings.get(peer as never)?.entries ?? new Map<string, unknown>();
  for (const key of [...entries.keys()].filter((k) => k.startsWith(LOG_PREFIX)).sort()) {
    const run = entries.get(key);
    const emits = (Array.isArray(run) ? (run as Entry[]) : [run as Entry]).filter((e) => e.type === 'emit');
    if (emits.length > 0) out.push(emits.map((e) => (e.type === 'emit' ? (e.molecule.value as number) : -1)));
  }
  return out;
}

describe('a burst of emissions', () => {
  it('is one emit message: one proposal and one log record, from a follower and from the sequencer host', async () => {
    const h = new HistoryRooms({ seed: 5, maxDelayMs: 1, timings: {} });
    await h.start('a', true);
    await h.run(1500);
    await h.start('b', false);
    await h.run(1500);
    const seq = h.room('a').status().role === 'sequencer' ? 'a' : 'b';
    const follower = seq === 'a' ? 'b' : 'a';
    expect(h.room(seq).status().role).toBe('sequencer');

    // A first emission each, alone: it reserves a block of sequence numbers in the store, and the burst's
    // emissions, within the block, go out as they are made (not as the outbox's batch once a write lands).
    h.room(follower).emit(reactor, 'warm', 0);
    h.room(seq).emit(reactor, 'warm', 1);
    await h.run(200);
    for (let i = 0; i < 20; i++) h.room(follower).emit(reactor, 'job', i);
    await h.run(200);
    for (let i = 100; i < 120; i++) h.room(seq).emit(reactor, 'job', i);
    await h.run(200);

    const values = h.room(seq).peek(reactor, 'job').map((m) => m.value as number);
    expect(values.sort((x, y) => x - y)).toEqual([...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => 100 + i)]);
    const records = emitRecords(h, seq);
    expect(records).toContainEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(records).toContainEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    expect(records.filter((r) => r.length > 1)).toHaveLength(2);
  });
});
