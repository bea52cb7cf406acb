// Poisoned epochs through the messages that only *report* an epoch: an append-ack refusing with a huge
// epoch, or a promise refusal. An honest peer that believed one would ask the election for a term above it
// — the signaling server then grants 2^53 (not a safe integer: no client accepts that lease, and with --data
// the floor is durable), so one message would end the room's elections for good (issue 16, attack 6).
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import { consumeOne, roles, room3, type Honest } from './harness';

const reactor = asReactorId('r');
const SETTLE = { afterEmitMs: 1000, afterCommitMs: 1000 };

describe('attack: epochs reported by a key holder', () => {
  it('a refused append-ack carrying an epoch near 2^53 neither deposes the sequencer for good nor poisons the lease', async () => {
    const { w, peers, x, sequencer } = await room3(41);
    void sequencer;
    x.send(sequencer.id, { v: 1, type: 'append-ack', epoch: Number.MAX_SAFE_INTEGER - 1, ok: false, matchIndex: 0, hint: 0, refused: true });
    x.send(sequencer.id, { v: 1, type: 'append-ack', epoch: 2 ** 40, ok: false, matchIndex: 0, hint: 0, refused: true });
    await w.run(3000);
    expect(w.lease.holder).not.toBeNull();
    for (const p of peers) expect(p.room.status().epoch).toBeLessThan(1000);
    // A later failover must still find a term peers accept (the server's floor must not have been poisoned).
    const now = roles(peers).sequencer;
    now.alive = false;
    now.transport.crash();
    await w.run(4000);
    const rest = peers.filter((p) => p !== now);
    for (const p of rest) expect(p.room.status().epoch).toBeLessThan(1000);
    expect(await consumeOne(w, rest[0] as Honest, reactor, 1, SETTLE)).toBe(true);
  });

  it('a promise refusal near 2^53 sent to a recovering candidate does not poison the next lease', async () => {
    const { w, peers, x, sequencer } = await room3(42);
    // Make the candidates of the next terms hear a poisoned refusal as soon as they ask.
    x.transport.on('message', ({ from, message }) => {
      const m = message as { type?: string; messages?: { type: string; epoch?: number }[] };
      for (const one of m.type === 'batch' ? (m.messages ?? []) : [m as { type: string; epoch?: number }]) {
        if (one.type === 'recover') x.send(from, { v: 1, type: 'promise', epoch: Number.MAX_SAFE_INTEGER - 1, ok: false, lastIndex: 0, lastEpoch: 0, commitIndex: 0, base: 0, members: [] });
      }
    });
    // The sequencer goes away: the next candidate recovers and asks everyone, the attacker too.
    sequencer.alive = false;
    sequencer.transport.crash();
    await w.run(4000);
    const rest = peers.filter((p) => p !== sequencer);
    // Each poisoned refusal moves the candidate at most one bounded step (64) up: the terms climb while the
    // attacker answers, but stay far below the end of the epoch space, and a sequencer gets through.
    for (const p of rest) expect(p.room.status().epoch).toBeLessThan(2 ** 20);
    expect(rest.some((p) => p.room.status().role === 'sequencer')).toBe(true);
    expect(await consumeOne(w, rest[0] as Honest, reactor, 2, SETTLE)).toBe(true);
  });
});
