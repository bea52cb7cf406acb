// A sequencer whose lease ran out by its own clock while the server still names it (its renewals were
// answered late: a stalled process, a slow server) pauses its term and resumes it when the renewal at the
// same epoch comes back, instead of ending it and fencing every commit in flight with a new term.
import { describe, expect, it } from 'vitest';
import { World } from './room-harness';

describe('lease lapse by the holder’s own clock', () => {
  it('pauses the term (no requests taken) and resumes the same term on a renewal at the same epoch', async () => {
    const w = new World();
    const room = await w.start();
    await w.run(300);
    expect(room.status()).toMatchObject({ role: 'sequencer', epoch: 1 });
    const lastIndex = room.status().lastIndex;
    // Renewals now take up to 600 ms there and back: the holder's validity (540 ms from its oldest unanswered
    // request, of a 600 ms lease) runs out before an answer arrives, while the server, hearing one every ≤ 500 ms, keeps renewing it.
    w.lease.maxDelayMs = 300;
    const events: string[] = [];
    room.on('history', (e) => events.push(e.type === 'paused' || e.type === 'stepped-down' || e.type === 'leading' ? `${e.type} ${e.epoch}` : ''));
    for (let i = 0; i < 40 && !events.includes('paused 1'); i++) await w.run(50);
    expect(events, 'the holder stops serving once its own lease ran out').toContain('paused 1');
    expect(w.lease.holder).toBe(w.a);
    w.lease.maxDelayMs = 3;
    await w.run(800);
    // Resumed: the same term, no new term entry in the log.
    expect(room.status()).toMatchObject({ role: 'sequencer', epoch: 1, lastIndex });
    expect(events.filter(Boolean).filter((e) => !e.startsWith('paused')), 'never stepped down, no new term').toEqual([]);
  });
});
