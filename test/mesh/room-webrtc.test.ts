// A room with WebRTC and relay links in Node (wrtc; needs --pool=forks like webrtc.test.ts): the room moves
// each peer to the data channel once it is up, keeps order across that switch, and keeps its links when the
// signaling server restarts.
import { isMainThread } from 'node:worker_threads';
import wrtc from '@roamhq/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/src/index';
import { asPeerId } from '../../src/core/ids';
import { createMeshRoom, type MeshRoom } from '../../src/mesh/room/mesh-room';
import { inbox, until } from '../../src/mesh/testing/transport-suite';
import { webRtcLink } from '../../src/mesh/webrtc';
import { wsRelayLink } from '../../src/mesh/ws-relay';
import { nodeWebSocket, startServer } from './node-peers';

let server: SignalingServer | null = null;
let rooms: MeshRoom[] = [];

afterEach(async () => {
  await Promise.all(rooms.map((r) => r.disconnect()));
  rooms = [];
  await server?.close();
  server = null;
});

describe.skipIf(!isMainThread)('Room over webrtc + relay (wrtc) [needs --pool=forks]', () => {
  it('prefers the data channel, keeps order across the switch, and survives a server restart', async () => {
    const started = await startServer({ limits: { pingIntervalMs: 500 } });
    server = started.server;
    const make = (id: string): MeshRoom =>
      createMeshRoom({
        roomName: 'rtc-room',
        key: 'k',
        keyIterations: 1000,
        signalingUrl: started.url,
        peerId: asPeerId(id),
        links: [webRtcLink({ wrtc: wrtc as never }), wsRelayLink()],
        webSocket: nodeWebSocket,
      });
    const a = make('alice');
    const b = make('bob');
    rooms.push(a, b);
    const got = inbox(b);
    await Promise.all([a.connect(), b.connect()]);
    // Send continuously from the first moment a link exists: the first messages go by relay, later ones by
    // WebRTC, and b must see them all in order.
    await until(() => a.peers().includes(b.self), 10_000, 'a first link');
    let n = 0;
    while (a.members()[1]?.link !== 'webrtc') {
      a.send(b.self, n++);
      await new Promise((r) => setTimeout(r, 2));
      if (n > 5000) throw new Error('never switched to webrtc');
    }
    for (let i = 0; i < 50; i++) a.send(b.self, n++);
    await until(() => got.length === n, 10_000, 'every message').catch((e: unknown) => {
      const seen = new Set(got.map((m) => m.message));
      console.log('DEBUG n', n, 'got', got.length, 'missing', [...Array(n).keys()].filter((i) => !seen.has(i)).slice(0, 20), 'order', got.slice(0, 30).map((m) => m.message));
      throw e;
    });
    expect(got.map((m) => m.message)).toEqual([...Array(n).keys()]);
    expect(a.members()[1]).toMatchObject({ link: 'webrtc', links: ['webrtc', 'ws-relay'] });

    const port = server.address().port;
    await server.close();
    server = null;
    await until(() => a.signaling !== 'connected' && b.signaling !== 'connected', 3000, 'both to notice the server is gone');
    expect(a.peers()).toEqual([b.self]);
    expect(a.members()[1]?.links).toEqual(['webrtc']);
    got.length = 0;
    a.send(b.self, 'without a server');
    await until(() => got.length === 1, 2000, 'a message over the surviving link');
    server = (await startServer({ port })).server;
    await until(() => a.signaling === 'connected' && b.signaling === 'connected', 10_000, 'both to re-register');
    await until(() => a.members()[1]?.links.length === 2, 5000, 'the relay link back');
  });

  it('carries 30 MiB of 64 KiB messages whole, in order, without the heartbeat dropping anyone', async () => {
    const started = await startServer();
    server = started.server;
    const make = (id: string): MeshRoom =>
      createMeshRoom({ roomName: 'bulk', signalingUrl: started.url, peerId: asPeerId(id), links: [webRtcLink({ wrtc: wrtc as never })], webSocket: nodeWebSocket });
    const a = make('sender');
    const b = make('receiver');
    rooms.push(a, b);
    const drops: string[] = [];
    for (const r of [a, b]) r.on('peer-disconnected', (e) => drops.push(`${r.self}: ${e.reason}`));
    const got = inbox(b);
    await Promise.all([a.connect(), b.connect()]);
    await until(() => a.peers().length === 1 && b.peers().length === 1, 10_000, 'the link');
    const body = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 480; i++) expect(a.send(b.self, { i, body })).toBe(true);
    await until(() => got.length === 480, 30_000, 'all 480 messages');
    expect(got.map((m) => (m.message as { i: number }).i)).toEqual([...Array(480).keys()]);
    expect(drops).toEqual([]);
  });
});
