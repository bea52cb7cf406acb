// Small pure pieces of the mesh: framing, the ordered inbox, room links, room crypto.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom, type Clock, type TimerHandle } from '../../src/core/clock';
import { Backoff } from '../../src/mesh/backoff';
import { onceDrained } from '../../src/mesh/data-channel';
import { FrameAssembler, FramedSender, toFrames } from '../../src/mesh/framing';
import { MAX_HELD, OrderedInbox } from '../../src/mesh/ordered-inbox';
import { createRoomCipher, roomHash } from '../../src/mesh/room/crypto';
import { createRoomLink, formatRoomLink, parseRoomLink } from '../../src/protocol/room-link';

describe('framing', () => {
  it('splits and reassembles any JSON text under the frame limit (UTF-8), never splitting surrogate pairs', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 64, max: 512 }), (s, max) => {
        const frames = toFrames(JSON.stringify(s), max);
        for (const f of frames) expect(new TextEncoder().encode(f).length).toBeLessThanOrEqual(max);
        for (const f of frames) expect(new TextDecoder().decode(new TextEncoder().encode(f))).toBe(f); // no lone surrogates
        const asm = new FrameAssembler();
        const results = frames.map((f) => asm.push(f));
        expect(results.at(-1)).toEqual({ kind: 'message', value: s });
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('reports garbage as invalid and recovers', () => {
    const asm = new FrameAssembler();
    expect(asm.push(42).kind).toBe('invalid');
    expect(asm.push('mnot json').kind).toBe('invalid');
    expect(asm.push('cstray').kind).toBe('invalid');
    expect(asm.push('sx,abc').kind).toBe('invalid');
    expect(asm.push('s3,"a"xx').kind).toBe('invalid');
    expect(asm.push('m[1]')).toEqual({ kind: 'message', value: [1] });
  });

  it('waits for the channel to drain above the high-water mark, keeping order', () => {
    const sent: string[] = [];
    let buffered = 0;
    let resume: (() => void) | null = null;
    const sender = new FramedSender(
      { send: (f) => (sent.push(f), (buffered += f.length)), bufferedAmount: () => buffered, onceDrained: (r) => (resume = r) },
      { maxFrameBytes: 100, highWaterMark: 250 },
    );
    for (let i = 0; i < 10; i++) sender.send('x'.repeat(80));
    // 83-char frames: the 4th send crosses 250, then the sender waits for a drain.
    expect(sent.length).toBe(4);
    expect(sender.queued).toBe(6);
    buffered = 0;
    resume!();
    expect(sent.length).toBe(8);
    buffered = 0;
    resume!();
    expect(sent.length).toBe(10);
    expect(sender.queued).toBe(0);
    expect(new Set(sent)).toEqual(new Set([`m"${'x'.repeat(80)}"`]));
  });

  it('awaits one drain at a time however many messages queue behind it, and keeps their order', () => {
    const sent: string[] = [];
    let buffered = 0;
    const waiters: Array<() => void> = [];
    const sender = new FramedSender(
      { send: (f) => (sent.push(f), (buffered += f.length)), bufferedAmount: () => buffered, onceDrained: (r) => void waiters.push(r) },
      { maxFrameBytes: 100, highWaterMark: 250 },
    );
    for (let i = 0; i < 200; i++) sender.send(i);
    expect(waiters.length).toBe(1); // was one waiter per send: 200 listeners and timers, all woken by each drain
    for (let round = 0; round < 400 && sender.queued > 0; round++) {
      buffered = 0;
      const wake = waiters.splice(0);
      expect(wake.length).toBe(1);
      for (const w of wake) w();
    }
    expect(sender.queued).toBe(0);
    expect(sent).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    // Filling the channel again waits again, once.
    for (let i = 0; i < 10; i++) sender.send('y'.repeat(80));
    expect(waiters.length).toBe(1);
    for (let round = 0; round < 10 && sender.queued > 0; round++) {
      buffered = 0;
      waiters.splice(0)[0]!();
    }
    expect(sent.slice(-10)).toEqual(Array.from({ length: 10 }, () => `m"${'y'.repeat(80)}"`));
  });

  it('asks the channel for its buffered amount only when its own count says the channel may be full', () => {
    let buffered = 0;
    let asked = 0;
    const sender = new FramedSender(
      { send: (f) => void (buffered += f.length), bufferedAmount: () => (asked++, buffered), onceDrained: () => undefined },
      { maxFrameBytes: 1000, highWaterMark: 10_000 },
    );
    for (let i = 0; i < 100; i++) sender.send(i); // ~3-4 chars a frame: 100 frames fit under the mark
    expect(asked).toBe(1);
    expect(sender.queued).toBe(0);
  });
});

/** A manual clock: timers fire only when the test advances time. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.add(t);
      return t as unknown as TimerHandle;
    },
    clearTimeout: (h) => void timers.delete(h as unknown as { at: number; fn: () => void }),
    advance(ms) {
      now += ms;
      for (const t of [...timers].sort((a, b) => a.at - b.at)) if (t.at <= now && timers.delete(t)) t.fn();
    },
  };
}

describe('onceDrained (data-channel backpressure)', () => {
  /** A channel as far as onceDrained sees one: an EventTarget with a buffer and a low-water mark. */
  const channel = (): RTCDataChannel & { bufferedAmount: number } =>
    Object.assign(new EventTarget(), { bufferedAmount: 1000, bufferedAmountLowThreshold: 100 }) as unknown as RTCDataChannel & { bufferedAmount: number };

  it('resumes on bufferedamountlow at once, then neither a poll nor the fallback resumes again', () => {
    const clock = manualClock();
    const ch = channel();
    let resumed = 0;
    onceDrained(ch, () => resumed++, clock);
    ch.bufferedAmount = 50;
    ch.dispatchEvent(new Event('bufferedamountlow'));
    expect(resumed).toBe(1);
    clock.advance(1000);
    ch.dispatchEvent(new Event('bufferedamountlow'));
    expect(resumed).toBe(1);
  });

  it('without the event (@roamhq/wrtc never fires it) a poll sees the drained buffer within a few ms, not the 250 ms fallback', () => {
    const clock = manualClock();
    const ch = channel();
    let resumedAt = -1;
    onceDrained(ch, () => (resumedAt = clock.now()), clock);
    for (let t = 0; t < 20; t++) clock.advance(1);
    expect(resumedAt).toBe(-1); // still above the low-water mark
    ch.bufferedAmount = 100;
    for (let t = 0; t < 20 && resumedAt < 0; t++) clock.advance(1);
    expect(resumedAt).toBeGreaterThanOrEqual(20);
    expect(resumedAt).toBeLessThanOrEqual(26);
    ch.dispatchEvent(new Event('bufferedamountlow')); // a late event changes nothing
    clock.advance(1000);
    expect(resumedAt).toBeLessThanOrEqual(26);
  });

  it('resumes after the fallback even if the buffer never drains (the sender checks again and waits again)', () => {
    const clock = manualClock();
    const ch = channel();
    let resumed = 0;
    onceDrained(ch, () => resumed++, clock);
    for (let t = 0; t < 249; t++) clock.advance(1);
    expect(resumed).toBe(0);
    for (let t = 0; t < 10; t++) clock.advance(1);
    expect(resumed).toBe(1);
    clock.advance(1000);
    expect(resumed).toBe(1);
  });
});

describe('OrderedInbox', () => {
  it('delivers in sequence order, drops duplicates, and skips a gap that never fills', () => {
    const clock = manualClock();
    const got: string[] = [];
    const box = new OrderedInbox<string>((v) => got.push(v), clock, 500);
    box.push(0, 'a');
    box.push(2, 'c');
    box.push(1, 'b');
    box.push(1, 'b-again');
    expect(got).toEqual(['a', 'b', 'c']);
    box.push(5, 'f');
    box.push(4, 'e');
    expect(got).toEqual(['a', 'b', 'c']);
    clock.advance(500);
    expect(got).toEqual(['a', 'b', 'c', 'e', 'f']);
    box.reset();
    box.push(0, 'new session');
    expect(got.at(-1)).toBe('new session');
  });

  it('holds at most MAX_HELD behind a gap (the rest dropped and counted); skipping a huge gap cannot overflow the stack', () => {
    const clock = manualClock();
    let got = 0;
    const box = new OrderedInbox<number>(() => void got++, clock, 500);
    // A hostile sender skips 0 and sends 200,000 messages: before, the gap skip spread every held key into
    // Math.min and threw RangeError from a timer (the Node process exited).
    for (let s = 1; s <= 200_000; s++) box.push(s, s);
    expect(got).toBe(0);
    expect(box.dropped).toBe(200_000 - MAX_HELD);
    expect(() => clock.advance(500)).not.toThrow();
    expect(got).toBe(MAX_HELD);
    box.push(MAX_HELD + 1, 0); // in order again
    expect(got).toBe(MAX_HELD + 1);
  });
});

describe('room links and crypto', () => {
  it('formats and parses room links; a new room gets a random key', () => {
    const { url, link } = createRoomLink('https://x.test/app', 'my room');
    expect(url.startsWith('https://x.test/app#room=my+room&key=')).toBe(true);
    expect(parseRoomLink(url)).toEqual(link);
    expect(link.key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(parseRoomLink(formatRoomLink('a'))!.key).not.toBe(parseRoomLink(formatRoomLink('a'))!.key);
    expect(parseRoomLink('#room=x')).toBeNull();
    expect(parseRoomLink('https://x.test/#key=k')).toBeNull();
  });

  it('hashes the room name and seals so that only the same name+key opens', async () => {
    expect(await roomHash('a')).not.toBe(await roomHash('b'));
    expect(await roomHash('a')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const c1 = await createRoomCipher('room', 'key', 1000);
    const c2 = await createRoomCipher('room', 'key', 1000);
    const other = await createRoomCipher('room', 'other', 1000);
    const sealed = await c1.seal('{"sdp":"v=0"}');
    expect(sealed).not.toContain('sdp');
    expect(await c2.open(sealed)).toBe('{"sdp":"v=0"}');
    expect(await other.open(sealed)).toBeNull();
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(await c2.open(tampered)).toBeNull();
    expect(await c2.open('%%%')).toBeNull();
  });

  it('backs off exponentially with jitter, within bounds', () => {
    const b = new Backoff(seededRandom(1), { minMs: 100, maxMs: 1000 });
    const delays = Array.from({ length: 8 }, () => b.next());
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    for (const d of delays) expect(d).toBeLessThanOrEqual(1000);
    expect(delays[7]).toBeGreaterThanOrEqual(500);
  });
});
