// Helpers for Node-side mesh tests: a real signaling server on a free port and clients that use `ws`.
import WebSocket from 'ws';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling-server/src/index';
import type { PeerId } from '../../src/core/ids';
import { Rendezvous } from '../../src/mesh/rendezvous';
import type { RoomCipher } from '../../src/mesh/room/crypto';
import { SignalingClient, type WebSocketLike } from '../../src/mesh/signaling-client';

export const nodeWebSocket = (url: string): WebSocketLike => new WebSocket(url) as unknown as WebSocketLike;

export async function startServer(opts: SignalingServerOptions = {}): Promise<{ server: SignalingServer; url: string }> {
  const server = createSignalingServer({ port: 0, ...opts });
  await server.ready;
  return { server, url: `ws://127.0.0.1:${server.address().port}/signal` };
}

/** `admission`: a keyed room's proof and name tag (deriveRoomSecrets), so the server seats the client. */
export function rendezvous(url: string, room: string, peerId: PeerId, cipher: RoomCipher | null = null, admission: { proof: string; tag: string } | null = null): Rendezvous {
  return rendezvousWith(url, room, peerId, cipher, admission);
}

/** The same with the cipher as MeshRoom passes it: a promise (the key derives while the socket connects). */
export function rendezvousWith(url: string, room: string, peerId: PeerId, cipher: RoomCipher | null | Promise<RoomCipher | null>, admission: { proof: string; tag: string } | null = null): Rendezvous {
  return new Rendezvous(new SignalingClient({ url, room, peerId, webSocket: nodeWebSocket, ...admission }), cipher);
}
