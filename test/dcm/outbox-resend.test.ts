// The outbox's resends: a periodic resend skips emissions the log already holds (the sequencer appended
// them; resending only fills a slow sequencer's input), a forced one (a new leader) sends everything.
import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../src/core/clock';
import { asEpoch, asPeerId } from '../../src/core/ids';
import type { Message } from '../../src/dcm/messages';
import { Outbox } from '../../src/dcm/outbox';
import { OutboxSender } from '../../src/dcm/outbox-sender';
import { Persistence } from '../../src/dcm/persistence';
import { createMemoryStore } from '../../src/store/memory';

describe('outbox resends', () => {
  it('a periodic resend leaves out what the log holds; a forced flush sends it all', async () => {
    let now = 0;
    const clock: Clock = { now: () => now, setTimeout: () => ({}) as TimerHandle, clearTimeout: () => undefined };
    const persistence = new Persistence(createMemoryStore(), (e) => {
      throw e;
    });
    await persistence.load();
    const sent: Message[] = [];
    const inLog = new Set<number>();
    const sender = new OutboxSender({
      clock,
      resendMs: 250,
      leader: () => ({ leader: asPeerId('s'), epoch: asEpoch(1) }),
      send: (_, m) => void sent.push(m),
      inLog: (_, seq) => inLog.has(seq),
    });
    const outbox = new Outbox(persistence, 'a~x', [], '', () => sender.flush(true));
    sender.open(outbox);
    const seqs = [1, 2, 3].map(() => outbox.add('r', 'incr', null).item.seq);
    await outbox.flush();
    sent.length = 0; // (the block reservation's write made them sendable: already sent once)
    const itemsSent = (): number[] => sent.flatMap((m) => (m.type === 'emit' ? m.items.map((i) => i.seq) : []));

    sender.flush(true);
    expect(itemsSent()).toEqual(seqs);
    // The sequencer appended the first two: our replica's tail holds them.
    inLog.add(seqs[0]!).add(seqs[1]!);
    sent.length = 0;
    now += 100;
    sender.flush();
    expect(itemsSent(), 'within the resend interval: nothing').toEqual([]);
    now += 200;
    sender.flush();
    expect(itemsSent(), 'a resend: only what the log does not hold').toEqual([seqs[2]]);
    sent.length = 0;
    sender.flush(true);
    expect(itemsSent(), 'a new leader: everything still queued').toEqual(seqs);
  });
});
