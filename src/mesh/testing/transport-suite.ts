// The acceptance suite every Transport adapter runs (automerge-repo style): discovery, delivery, order,
// messages of any size, JSON fidelity, and a clean leave seen by the others. Call it from a Vitest file with a
// harness that builds n transports in a fresh room.
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerId } from '../../core/ids';
import type { Transport } from '../transport';

export interface TransportHarness {
  /** n transports in one fresh room, not yet connected. */
  create(n: number): Promise<Transport[]>;
  /** Stop everything the harness started (servers, sockets). */
  cleanup(): Promise<void>;
}

export interface TransportSuiteOptions {
  /** Size of the big-message test; ≥ 1 MiB by default. */
  readonly bigMessageChars?: number;
  /** How long a link may take to come up. */
  readonly linkTimeoutMs?: number;
  /** How soon the others must notice a clean leave. */
  readonly leaveWithinMs?: number;
  /** Skip the suite (e.g. a native addon that cannot run in this test pool); the name should say why. */
  readonly skip?: boolean;
}

/** Resolves when `check()` holds, polling every 5 ms; rejects with `what` after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Collects every message a transport receives, in arrival order. */
export function inbox(t: Transport): Array<{ from: PeerId; message: unknown }> {
  const got: Array<{ from: PeerId; message: unknown }> = [];
  t.on('message', (m) => got.push(m));
  return got;
}

export async function connectAll(ts: readonly Transport[], timeoutMs: number): Promise<void> {
  await Promise.all(ts.map((t) => t.connect()));
  await until(() => ts.every((t) => t.peers().length === ts.length - 1), timeoutMs, 'every transport to link with every other');
}

export function runTransportTests(name: string, setup: () => Promise<TransportHarness>, opts: TransportSuiteOptions = {}): void {
  const linkTimeout = opts.linkTimeoutMs ?? 10_000;
  const big = opts.bigMessageChars ?? 1024 * 1024 + 17;

  describe.skipIf(opts.skip ?? false)(`Transport acceptance: ${name}`, () => {
    let harness: TransportHarness | null = null;
    let ts: Transport[] = [];
    const make = async (n: number): Promise<Transport[]> => {
      harness = await setup();
      ts = await harness.create(n);
      return ts;
    };
    afterEach(async () => {
      await Promise.all(ts.map((t) => t.disconnect().catch(() => undefined)));
      await harness?.cleanup();
      harness = null;
      ts = [];
    });

    it('links every pair and reports peer-connected', async () => {
      const [a, b, c] = await make(3);
      const seen: PeerId[] = [];
      a!.on('peer-connected', ({ peerId }) => seen.push(peerId));
      await connectAll(ts, linkTimeout);
      expect(new Set(a!.peers())).toEqual(new Set([b!.self, c!.self]));
      expect(new Set(seen)).toEqual(new Set([b!.self, c!.self]));
      await a!.whenReady();
    });

    it('delivers to the addressed peer only, with the sender id; send without a link is false', async () => {
      const [a, b, c] = await make(3);
      await connectAll(ts, linkTimeout);
      const gotB = inbox(b!);
      const gotC = inbox(c!);
      expect(a!.send(b!.self, { hello: 'b' })).toBe(true);
      await until(() => gotB.length === 1, 5000, 'b to receive');
      expect(gotB[0]).toEqual({ from: a!.self, message: { hello: 'b' } });
      await new Promise((r) => setTimeout(r, 50));
      expect(gotC).toEqual([]);
      expect(a!.send('nobody-here' as PeerId, 1)).toBe(false);
    });

    it('keeps order per pair across many messages', async () => {
      const [a, b] = await make(2);
      await connectAll(ts, linkTimeout);
      const got = inbox(b!);
      for (let i = 0; i < 500; i++) a!.send(b!.self, i);
      await until(() => got.length === 500, 10_000, '500 messages');
      expect(got.map((m) => m.message)).toEqual([...Array(500).keys()]);
    });

    it(`carries a ${Math.round(big / 1024)} KiB message intact, between small ones, in order`, async () => {
      const [a, b] = await make(2);
      await connectAll(ts, linkTimeout);
      const got = inbox(b!);
      // Mixed content: ASCII bulk plus non-ASCII and surrogate pairs, which chunking must not split.
      const text = 'x'.repeat(big - 64) + 'ünïcødé 🧪🧫 ' + '€'.repeat(20);
      a!.send(b!.self, 'before');
      a!.send(b!.self, { text });
      a!.send(b!.self, 'after');
      await until(() => got.length === 3, 20_000, 'the big message');
      expect(got[0]!.message).toBe('before');
      expect((got[1]!.message as { text: string }).text).toBe(text);
      expect(got[2]!.message).toBe('after');
    });

    it('round-trips JSON values faithfully', async () => {
      const [a, b] = await make(2);
      await connectAll(ts, linkTimeout);
      const got = inbox(b!);
      const values = [null, 0, -1.5, 'str', true, [], {}, [1, [2, [3]]], { nested: { a: [null, 'x'] }, 'key with space': 1 }];
      for (const v of values) a!.send(b!.self, v);
      await until(() => got.length === values.length, 5000, 'all values');
      expect(got.map((m) => m.message)).toEqual(values);
    });

    it('tells the others when a peer leaves cleanly', async () => {
      const [a, b, c] = await make(3);
      await connectAll(ts, linkTimeout);
      const gone: PeerId[] = [];
      b!.on('peer-disconnected', ({ peerId }) => gone.push(peerId));
      c!.on('peer-disconnected', ({ peerId }) => gone.push(peerId));
      const t0 = Date.now();
      await a!.disconnect();
      await until(() => gone.filter((p) => p === a!.self).length === 2, opts.leaveWithinMs ?? 3000, 'both to see the leave');
      expect(Date.now() - t0).toBeLessThan(opts.leaveWithinMs ?? 3000);
      expect(b!.peers()).not.toContain(a!.self);
      expect(b!.send(a!.self, 'x')).toBe(false);
      expect(b!.send(c!.self, 'still here')).toBe(true);
    });
  });
}
