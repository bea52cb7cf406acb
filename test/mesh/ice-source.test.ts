// The client side of /ice: the URL next to the signaling URL, validation of the answer, refresh before the
// TURN credentials expire, and a real server's answer taken as is.
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../src/core/clock';
import { fetchIce, iceUrlFor, loadIceSource } from '../../src/mesh/ice-source';
import type { SignalingServer } from '../../signaling-server/src/index';
import { startServer } from './node-peers';

/** A clock whose timers run only when the test says so. */
function manualClock(): Clock & { fire(): number; pending(): number[] } {
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  return {
    now: () => 0,
    setTimeout(fn, ms) {
      timers.set(next, { fn, ms });
      return next++ as unknown as TimerHandle;
    },
    clearTimeout: (h) => void timers.delete(h as unknown as number),
    pending: () => [...timers.values()].map((t) => t.ms),
    fire() {
      const all = [...timers.values()];
      timers.clear();
      for (const t of all) t.fn();
      return all.length;
    },
  };
}

const answer =
  (body: unknown, ok = true) =>
  async () => ({ ok, json: async () => body });

let server: SignalingServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('ICE configuration from the signaling server', () => {
  it('finds /ice next to the signaling URL', () => {
    expect(iceUrlFor('ws://localhost:8787/signal')).toBe('http://localhost:8787/ice');
    expect(iceUrlFor('wss://mesh.example.org/kinetic/signal?x=1')).toBe(
      'https://mesh.example.org/kinetic/ice',
    );
    expect(iceUrlFor('not a url')).toBeNull();
    expect(iceUrlFor('http://x/signal')).toBeNull();
  });

  it('takes a valid answer, refuses a malformed one, survives a failing fetch', async () => {
    const good = {
      iceServers: [{ urls: ['turn:t:3478'], username: '1:k', credential: 'c' }, { urls: 'stun:s' }],
      iceTransportPolicy: 'relay',
      ttl: 600,
    };
    expect(await fetchIce('http://x/ice', answer(good))).toEqual({
      settings: {
        iceServers: [{ urls: ['turn:t:3478'], username: '1:k', credential: 'c' }, { urls: 'stun:s' }],
        iceTransportPolicy: 'relay',
      },
      ttl: 600,
    });
    expect(await fetchIce('http://x/ice', answer({ iceServers: 'all of them' }))).toBeNull();
    expect(await fetchIce('http://x/ice', answer({ iceServers: [{ urls: 5 }] }))).toBeNull();
    expect(await fetchIce('http://x/ice', answer(good, false))).toBeNull();
    expect(await fetchIce('http://x/ice', () => Promise.reject(new Error('offline')))).toBeNull();
  });

  it('refreshes TURN credentials at half their lifetime and keeps the last good ones on failure', async () => {
    const clock = manualClock();
    const answers = [
      { iceServers: [{ urls: ['turn:t'], username: 'A', credential: 'a' }], ttl: 600 },
      null,
      { iceServers: [{ urls: ['turn:t'], username: 'B', credential: 'b' }], ttl: 600 },
    ];
    let i = 0;
    const source = await loadIceSource(
      'ws://h/signal',
      async () => {
        const body = answers[i++];
        if (!body) throw new Error('down');
        return { ok: true, json: async () => body };
      },
      clock,
    );
    expect(source.current().iceServers[0]?.username).toBe('A');
    expect(clock.pending()).toEqual([300_000]);
    clock.fire();
    await new Promise((r) => setTimeout(r, 0));
    expect(source.current().iceServers[0]?.username).toBe('A'); // refresh failed: keep, retry in a minute
    expect(clock.pending()).toEqual([60_000]);
    clock.fire();
    await new Promise((r) => setTimeout(r, 0));
    expect(source.current().iceServers[0]?.username).toBe('B');
    expect(clock.pending()).toEqual([300_000]);
    source.dispose();
    expect(clock.pending()).toEqual([]);
  });

  it('reads a real server: STUN only needs no refresh', async () => {
    const s = await startServer({
      ice: { stun: ['stun:stun.example.org:3478'], turn: [], turnTtlSeconds: 600 },
    });
    server = s.server;
    const clock = manualClock();
    const source = await loadIceSource(s.url, (u, init) => fetch(u, init), clock);
    expect(source.current()).toEqual({
      iceServers: [{ urls: ['stun:stun.example.org:3478'] }],
      iceTransportPolicy: 'all',
    });
    expect(clock.pending()).toEqual([]);
  });
});
