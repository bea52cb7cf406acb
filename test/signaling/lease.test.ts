// The leadership lease: pure rules (SignalLease) and the whole path through the server and SignalingClient.
import { afterEach, describe, expect, it } from 'vitest';
import { SignalLease } from '../../signaling-server/src/room-lease';
import type { SignalingServer } from '../../signaling-server/src/index';
import { asPeerId } from '../../src/core/ids';
import type { LeaseState } from '../../src/mesh/lease';
import WebSocket from 'ws';
import { SignalingClient, type WebSocketLike } from '../../src/mesh/signaling-client';
import { until } from '../../src/mesh/testing/transport-suite';
import { startServer } from '../mesh/node-peers';

describe('SignalLease rules', () => {
  it('grants one holder at a time with strictly increasing epochs', () => {
    const l = new SignalLease(1000);
    expect(l.request('a', 0, 0)).toEqual({ kind: 'changed', state: { holder: 'a', epoch: 1, ttlMs: 1000 } });
    expect(l.request('b', 0, 10)).toEqual({ kind: 'reply', state: { holder: 'a', epoch: 1, ttlMs: 1000 } });
    expect(l.request('a', 1, 500)).toEqual({ kind: 'reply', state: { holder: 'a', epoch: 1, ttlMs: 1000 } }); // renewal
    // Not yet expired (renewed at 500): nothing happens at 1400.
    expect(l.expire(1400, () => true)).toBeNull();
    // Expired: the waiting candidate gets it, with a higher epoch.
    expect(l.expire(1501, () => true)).toEqual({ kind: 'changed', state: { holder: 'b', epoch: 2, ttlMs: 1000 } });
  });

  it('keeps epochs monotonic across a restart via the minEpoch candidates report', () => {
    const fresh = new SignalLease(1000); // a restarted server knows nothing
    expect(fresh.request('a', 41, 0).state).toMatchObject({ holder: 'a', epoch: 42 });
  });

  it('a clean release hands over at once; a dead socket waits for the TTL', () => {
    const l = new SignalLease(1000);
    l.request('a', 0, 0);
    l.request('b', 0, 1);
    l.request('c', 0, 2);
    expect(l.release('a', 3)?.state).toMatchObject({ holder: 'b', epoch: 2 });
    l.disconnected('b'); // b's socket died: no hand-over yet
    expect(l.snapshot().holder).toBe('b');
    expect(l.request('c', 0, 500).state.holder).toBe('b');
    expect(l.expire(1004, (p) => p !== 'b')?.state).toMatchObject({ holder: 'c', epoch: 3 });
  });

  it('with no candidates an expired lease has no holder, and the epoch is kept', () => {
    const l = new SignalLease(100);
    l.request('a', 7, 0);
    expect(l.expire(101, () => false)?.state).toEqual({ holder: null, epoch: 8, ttlMs: 100 });
    expect(l.request('b', 0, 200).state).toMatchObject({ holder: 'b', epoch: 9 });
  });
});

describe('lease through the server', () => {
  let server: SignalingServer | null = null;
  let clients: SignalingClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
    await server?.close();
  });

  it('hands over on a clean leave and on TTL expiry of a vanished holder', async () => {
    const s = await startServer({ limits: { leaseTtlMs: 300 } });
    server = s.server;
    const make = (id: string): { c: SignalingClient; seen: LeaseState[]; crash: () => void } => {
      let socket: WebSocket | null = null;
      let crashed = false;
      const c = new SignalingClient({
        url: s.url,
        room: 'lease-room',
        peerId: asPeerId(id),
        webSocket: (u) => {
          if (crashed) throw new Error('this peer crashed');
          socket = new WebSocket(u);
          return socket as unknown as WebSocketLike;
        },
      });
      clients.push(c);
      const seen: LeaseState[] = [];
      c.onLease((st) => seen.push(st));
      // A crash: the socket dies without a leave frame, and the peer never comes back.
      const crash = (): void => {
        crashed = true;
        socket?.terminate();
      };
      return { c, seen, crash };
    };
    const a = make('a');
    const b = make('b');
    const c = make('c');
    await Promise.all([a.c.connect(), b.c.connect(), c.c.connect()]);
    a.c.requestLease(5);
    await until(() => b.seen.some((x) => x.holder === 'a'), 2000, 'everyone to see a lead');
    expect(b.seen.at(-1)).toMatchObject({ holder: 'a', epoch: 6, ttlMs: 300 });
    b.c.requestLease(0);
    c.c.requestLease(0);
    await a.c.close(); // clean leave: immediate hand-over to the first candidate
    await until(() => c.seen.some((x) => x.holder === 'b'), 500, 'b to lead after a left');
    expect(c.seen.at(-1)).toMatchObject({ holder: 'b', epoch: 7 });
    // b vanishes without a word (socket killed): c must wait out the TTL, then gets it.
    const t0 = Date.now();
    b.crash();
    await until(() => c.seen.some((x) => x.holder === 'c'), 2000, 'c to lead after the TTL');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(c.seen.at(-1)).toMatchObject({ holder: 'c', epoch: 8 });
  });
});

