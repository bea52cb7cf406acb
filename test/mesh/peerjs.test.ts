// peerjs against a local PeerServer (the `peer` package, discovery on), WebRTC from @roamhq/wrtc, through the
// shared acceptance suite; plus the key proof on a data connection.
import './wrtc-globals';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread } from 'node:worker_threads';
import { PeerServer } from 'peer';
import { describe, expect, it } from 'vitest';
import { asPeerId } from '../../src/core/ids';
import { createPeerJsTransport } from '../../src/mesh/peerjs';
import { createRoomCipher, WrongRoomKeyError } from '../../src/mesh/room/crypto';
import { runTransportTests, until } from '../../src/mesh/testing/transport-suite';

// PeerJS reads WebRTC and WebSocket from globals (set by ./wrtc-globals); like webrtc.test.ts this needs a
// process of its own (--pool=forks).
const inOwnProcess = isMainThread;

async function startPeerServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => PeerServer({ port: 0, path: '/', allow_discovery: true }, (s) => resolve(s as Server)));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

let roomNo = 0;

runTransportTests(
  inOwnProcess ? 'peerjs (local PeerServer, wrtc)' : 'peerjs [needs --pool=forks]',
  async () => {
    const ps = await startPeerServer();
    const roomHash = `pjRoom${++roomNo}`;
    const cipher = createRoomCipher(roomHash, 'key', 1000);
    return {
      create: (n) =>
        Promise.resolve(
          Array.from({ length: n }, (_, i) => createPeerJsTransport({ self: asPeerId(`pj${i}`), roomHash, cipher, server: { host: '127.0.0.1', port: ps.port }, discoveryMs: 100 })),
        ),
      cleanup: ps.close,
    };
  },
  { linkTimeoutMs: 15_000, leaveWithinMs: 5000, skip: !inOwnProcess },
);

describe.skipIf(!inOwnProcess)('peerjs key proof', () => {
  it('refuses a data connection from a peer with another key', async () => {
    const ps = await startPeerServer();
    const roomHash = `pjKeys${++roomNo}`;
    const server = { host: '127.0.0.1', port: ps.port };
    const a = createPeerJsTransport({ self: asPeerId('aa'), roomHash, server, cipher: createRoomCipher(roomHash, 'right', 1000), discoveryMs: 100 });
    const b = createPeerJsTransport({ self: asPeerId('bb'), roomHash, server, cipher: createRoomCipher(roomHash, 'wrong', 1000), discoveryMs: 100 });
    const errors: Error[] = [];
    a.on('error', (e) => errors.push(e));
    b.on('error', (e) => errors.push(e));
    await Promise.all([a.connect(), b.connect()]);
    await until(() => errors.some((e) => e instanceof WrongRoomKeyError), 10_000, 'a wrong-key error');
    expect(a.peers()).toEqual([]);
    expect(b.peers()).toEqual([]);
    await a.disconnect();
    await b.disconnect();
    await ps.close();
  });
});
