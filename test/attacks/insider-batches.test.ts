// A key holder's batches (src/dcm/outgoing.ts coalesces a turn's messages per peer into one `batch`): the
// valid messages in a batch that also carries malformed ones, borrowed sources, forged claims, too-deep
// values or nested batches are handled, the rest dropped and counted — never the other way round — and a
// batch beyond the size limit is dropped whole. Every honest replica ends with the same molecules.
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import { consumeOne, room3, type Honest } from './harness';

const reactor = asReactorId('r');
const emit = (source: string, seq: number, value: unknown) => ({
  v: 1,
  type: 'emit',
  items: [{ source, seq, molecule: { id: `${source}:${seq}`, reactor, name: 'n', value } }],
});
let deep: unknown = 1;
for (let i = 0; i < 200; i++) deep = [deep];

const valuesOn = (p: Honest): unknown[] => p.room.peek(reactor, 'n').map((m) => m.value).sort();

describe('attack: batches mixing valid and hostile messages', () => {
  it('the valid messages of a mixed batch are applied once, the hostile ones dropped and counted', async () => {
    const { w, peers, sequencer, x } = await room3(21);
    const before = sequencer.room.status().invalidMessages;
    const epoch = sequencer.room.status().epoch;
    x.send(sequencer.id, {
      v: 1,
      type: 'batch',
      messages: [
        emit('x~a', 1, 'first'),
        'not a message',
        { v: 1, type: 'emit', items: [{ source: 'x~a', seq: 'two', molecule: null }] },
        emit(`${peers[1]!.id}~theirs`, 1, 'borrowed source'),
        emit('x~a', 2, deep),
        { v: 1, type: 'batch', messages: [emit('x~a', 3, 'nested')] },
        { v: 1, type: 'claim', epoch, claimId: `${peers[1]!.id}~p:c1`, ids: ['x~a:1'] },
        { v: 2, type: 'emit', items: [] },
        emit('x~a', 4, 'second'),
        emit('x~a', 1, 'first again'), // a duplicate of seq 1: applied once
        { v: 1, type: '__proto__', polluted: true },
      ],
    });
    await w.run(600);
    for (const p of peers) expect(valuesOn(p)).toEqual(['first', 'second']);
    expect(sequencer.room.status().invalidMessages - before).toBeGreaterThanOrEqual(6);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // The room still consumes what is in it, on every peer.
    expect(await consumeOne(w, peers[0]!, reactor, 7, { afterEmitMs: 300, afterCommitMs: 300 })).toBe(true);
  });

  it('a batch over the message limit is dropped whole; the same messages in batches within it all arrive', async () => {
    const { w, peers, sequencer, x } = await room3(22);
    const before = sequencer.room.status().invalidMessages;
    const many = (from: number, n: number) => Array.from({ length: n }, (_, i) => emit('x~b', from + i, from + i));
    x.send(sequencer.id, { v: 1, type: 'batch', messages: many(1, 513) });
    await w.run(600);
    expect(sequencer.room.status().invalidMessages - before).toBe(1);
    for (const p of peers) expect(valuesOn(p)).toEqual([]);
    x.send(sequencer.id, { v: 1, type: 'batch', messages: many(1, 512) });
    x.send(sequencer.id, { v: 1, type: 'batch', messages: many(513, 1) });
    await w.run(1500);
    for (const p of peers) expect(p.room.peek(reactor, 'n')).toHaveLength(513);
  });
});
