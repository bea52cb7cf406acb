// Electors: Web Locks (with an in-process lock manager that queues like navigator.locks) and the server
// lease (with the signaling server's own SignalLease state machine behind a tiny in-memory client).
import { describe, expect, it } from 'vitest';
import { asPeerId } from '../../src/core/ids';
import type { Clock, TimerHandle } from '../../src/core/clock';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import { createWebLocksElector, storeEpochCounter, type LockManagerLike } from '../../src/dcm/electors/web-locks';
import type { LeaseClient, LeaseState } from '../../src/mesh/lease';
import { createMemoryStore } from '../../src/store/memory';
import { SignalLease } from '../../signaling-server/src/room-lease';
import { asEpoch } from '../../src/core/ids';

/** FIFO exclusive locks with abort, like the Web Locks API for one lock name. */
function lockManager(): LockManagerLike {
  const queues = new Map<string, Array<() => void>>();
  const held = new Set<string>();
  const pump = (name: string): void => {
    if (held.has(name)) return;
    const next = queues.get(name)?.shift();
    if (next) next();
  };
  return {
    request(name, options, callback) {
      return new Promise<void>((resolve, reject) => {
        const run = (): void => {
          if (options.signal?.aborted) return pump(name);
          held.add(name);
          void callback(null).then(
            () => {
              held.delete(name);
              resolve();
              pump(name);
            },
            (e: unknown) => {
              held.delete(name);
              reject(e as Error);
              pump(name);
            },
          );
        };
        queues.set(name, [...(queues.get(name) ?? []), run]);
        pump(name);
      });
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('Web Locks elector', () => {
  it('one tab leads at a time; the next holder gets a strictly higher epoch', async () => {
    const locks = lockManager();
    const counter = storeEpochCounter(createMemoryStore());
    const a = createWebLocksElector({ self: asPeerId('a'), locks, name: 'room', counter });
    const b = createWebLocksElector({ self: asPeerId('b'), locks, name: 'room', counter });
    a.start();
    b.start();
    await tick();
    expect([a.current().self, b.current().self]).toEqual([true, false]);
    const first = a.current().epoch;
    a.stop(); // the tab closes: the browser releases its lock
    await tick();
    expect(b.current().self).toBe(true);
    expect(b.current().epoch).toBeGreaterThan(first);
    // A newer epoch seen elsewhere makes the holder let go and queue again above it.
    b.observeEpoch(asEpoch(b.current().epoch + 5));
    await tick();
    expect(b.current().self).toBe(true);
    expect(b.current().epoch).toBeGreaterThan(first + 5);
    b.stop();
  });
});

describe('server-lease elector', () => {
  it('leads only while its own lease is valid, counted from the oldest unanswered request', async () => {
    let now = 0;
    const timers: { at: number; fn: () => void; dead: boolean }[] = [];
    const clock: Clock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        const t = { at: now + ms, fn, dead: false };
        timers.push(t);
        return t as unknown as TimerHandle;
      },
      clearTimeout: (h) => void ((h as unknown as { dead: boolean }).dead = true),
    };
    const advance = (ms: number): void => {
      const end = now + ms;
      for (;;) {
        const next = timers.filter((t) => !t.dead && t.at <= end).sort((x, y) => x.at - y.at)[0];
        if (!next) break;
        next.dead = true;
        now = next.at;
        next.fn();
      }
      now = end;
    };
    const lease = new SignalLease(600);
    let serverUp = true;
    const listeners = new Set<(s: LeaseState) => void>();
    // Requests reach the server 5 ms later; answers come back 5 ms after that.
    const client = (peer: string): LeaseClient => ({
      requestLease: (min) =>
        void clock.setTimeout(() => {
          if (!serverUp) return;
          const out = lease.request(peer, min, now);
          clock.setTimeout(() => listeners.forEach((l) => l({ ...out.state, holder: out.state.holder as never, epoch: asEpoch(out.state.epoch) })), 5);
        }, 5),
      releaseLease: () => void lease.release(peer, now),
      onLease: (l) => (listeners.add(l), () => listeners.delete(l)),
      online: true,
    });
    const a = createLeaseElector({ self: asPeerId('a'), lease: client('a'), clock });
    a.start();
    advance(20);
    expect(a.current()).toMatchObject({ leader: 'a', self: true, epoch: 1 });
    serverUp = false; // the server is gone: renewals go unanswered
    advance(600 * 0.9);
    expect(a.current().self, 'its own lease ran out, before the server could grant the next').toBe(false);
    a.stop();
  });
});
