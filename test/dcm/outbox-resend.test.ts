// The outbox's resends: a periodic resend skips emissions the log already holds (the sequencer appended
// them; resending only fills a slow sequencer's input), a flush for new emissions sends only those not sent
// yet, a forced one (a new leader) sends everything, and no flush sends more than MAX_SENT_PER_FLUSH (a burst
// of emissions is sent as the log takes it).
import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../src/core/clock';
import { asEpoch, asPeerId } from '../../src/core/ids';
import type { Message } from '../../src/dcm/messages';
import { Outbox } from '../../src/dcm/outbox';
import { MAX_SENT_PER_FLUSH, OutboxSender } from '../../src/dcm/outbox-sender';
import { Persistence } from '../../src/dcm/persistence';
import { createMemoryStore } from '../../src/store/memory';

/** An outbox and its sender on a clock the test moves, sending into `sent`; `inLog` plays the replica's log. */
async function outboxUnderTest() {
  const t = { now: 0, leaderless: false };
  const clock: Clock = { now: () => t.now, setTimeout: () => ({}) as TimerHandle, clearTimeout: () => undefined };
  const persistence = new Persistence(createMemoryStore(), (e) => {
    throw e;
  });
  await persistence.load();
  const sent: Message[] = [];
  const inLog = new Set<number>();
  const sender = new OutboxSender({
    clock,
    resendMs: 250,
    leader: () => (t.leaderless ? null : { leader: asPeerId('s'), epoch: asEpoch(1) }),
    send: (_, m) => void sent.push(m),
    inLog: (_, seq) => inLog.has(seq),
  });
  const outbox = new Outbox(persistence, 'a~x', [], '', () => sender.flush('now'));
  sender.open(outbox);
  const itemsSent = (): number[] => sent.flatMap((m) => (m.type === 'emit' ? m.items.map((i) => i.seq) : []));
  return { t, sent, inLog, sender, outbox, itemsSent };
}

describe('outbox resends', () => {
  it('a periodic resend leaves out what the log holds; a forced flush sends it all', async () => {
    const { t, sent, inLog, sender, outbox, itemsSent } = await outboxUnderTest();
    const seqs = [1, 2, 3].map(() => outbox.add('r', 'incr', null).item.seq);
    await outbox.flush();
    sent.length = 0; // (the block reservation's write made them sendable: already sent once)

    sender.flush('all');
    expect(itemsSent()).toEqual(seqs);
    // The sequencer appended the first two: our replica's tail holds them.
    inLog.add(seqs[0]!).add(seqs[1]!);
    sent.length = 0;
    t.now += 100;
    sender.flush();
    expect(itemsSent(), 'within the resend interval: nothing').toEqual([]);
    t.now += 200;
    sender.flush();
    expect(itemsSent(), 'a resend: only what the log does not hold').toEqual([seqs[2]]);
    sent.length = 0;
    const s4 = outbox.add('r', 'incr', null).item.seq;
    t.now += 200;
    sender.flush('now');
    expect(itemsSent(), 'new emissions sendable: at once, only those not sent yet (a lost one goes with the next resend)').toEqual([s4]);
    sent.length = 0;
    t.now += 60;
    sender.flush();
    expect(itemsSent(), 'the periodic resend is not put off by it, but sends only what was out a whole interval').toEqual([seqs[2]]);
    sent.length = 0;
    t.now += 250;
    sender.flush();
    expect(itemsSent(), 'the next one: everything the log does not hold').toEqual([seqs[2], s4]);
    sent.length = 0;
    sender.flush('all');
    expect(itemsSent(), 'a new leader: everything still queued').toEqual([...seqs, s4]);
  });

  it('a burst sent after a quiet spell is not sent again by the next periodic flush, only after an interval', async () => {
    const { t, sent, inLog, sender, outbox, itemsSent } = await outboxUnderTest();
    t.now = 10_000; // no flush for a long time
    const seqs = Array.from({ length: 50 }, () => outbox.add('r', 'job', null).item.seq);
    await outbox.flush(); // the reservation landed: all sent at once
    expect(itemsSent()).toEqual(seqs);
    sent.length = 0;
    t.now += 5;
    sender.flush(); // due (the last periodic one is long ago), but these are 5 ms out
    expect(itemsSent()).toEqual([]);
    for (const s of seqs.slice(0, 40)) inLog.add(s);
    t.now += 250;
    sender.flush();
    expect(itemsSent(), 'out for an interval and not in the log: resent').toEqual(seqs.slice(40));
  });

  it('an emission never sent (no sequencer known when it became sendable) goes with the next periodic flush', async () => {
    const { t, sent, sender, outbox, itemsSent } = await outboxUnderTest();
    const first = outbox.add('r', 'job', null).item.seq;
    await outbox.flush();
    t.now += 300;
    sender.flush(); // a periodic flush: `first` counts as out for an interval from here
    sent.length = 0;
    t.leaderless = true;
    const late = Array.from({ length: 1100 }, () => outbox.add('r', 'job', null).item.seq); // past the reserved block
    await outbox.flush(); // the reservation landed while no sequencer was known: nothing went
    expect(sent).toEqual([]);
    t.leaderless = false;
    t.now += 300;
    sender.flush();
    expect(itemsSent()).toEqual([first, ...late]);
  });

  it('sends at most MAX_SENT_PER_FLUSH emissions per flush, oldest first; the next flushes send the rest', async () => {
    const { t, sent, inLog, sender, outbox, itemsSent } = await outboxUnderTest();
    const total = MAX_SENT_PER_FLUSH * 2 + 100;
    const seqs = Array.from({ length: total }, () => outbox.add('r', 'job', null).item.seq);
    await outbox.flush();
    // Every durable block reservation made some sendable: each flush sent at most the bound, and none sent again
    // what an earlier one had (before, each of the 9 sent the oldest 4,096 again: a slow sequencer's input grew
    // by the same emissions over and over, test/attacks/burst-emitter.test.ts).
    expect(sent.length).toBeGreaterThan(0);
    const times = new Map<number, number>();
    for (const s of itemsSent()) times.set(s, (times.get(s) ?? 0) + 1);
    expect([...times.values()].every((n) => n === 1)).toBe(true);
    expect(times.size).toBe(total);
    sent.length = 0;
    sender.flush('all');
    expect(itemsSent()).toEqual(seqs.slice(0, MAX_SENT_PER_FLUSH));
    // The sequencer appended those: the next periodic flush sends the next ones.
    for (const s of seqs.slice(0, MAX_SENT_PER_FLUSH)) inLog.add(s);
    sent.length = 0;
    t.now += 300;
    sender.flush();
    expect(itemsSent()).toEqual(seqs.slice(MAX_SENT_PER_FLUSH, 2 * MAX_SENT_PER_FLUSH));
  });

  it('reserves the first block at start and the next one half way through, so a steady emitter never waits', async () => {
    const { outbox } = await outboxUnderTest();
    await outbox.flush(); // the reservation written at start landed
    expect(outbox.add('r', 'job', null).sendable, 'the first emission of a process: sendable at once').toBe(true);
    // 2,500 more, the store keeping up between bursts of 100: each next block was reserved before it was needed.
    const waited: number[] = [];
    for (let i = 0; i < 25; i++) {
      for (let k = 0; k < 100; k++) {
        const { item, sendable } = outbox.add('r', 'job', null);
        if (!sendable) waited.push(item.seq);
      }
      await outbox.flush();
    }
    expect(waited).toEqual([]);
  });
});
