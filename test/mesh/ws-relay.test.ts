// ws-relay against a real signaling server on a free port, through the shared acceptance suite.
import WebSocket from 'ws';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/src/index';
import { asPeerId } from '../../src/core/ids';
import { Rendezvous } from '../../src/mesh/rendezvous';
import { createRoomCipher, roomHash } from '../../src/mesh/room-crypto';
import { SignalingClient, type WebSocketLike } from '../../src/mesh/signaling-client';
import { runTransportTests } from '../../src/mesh/testing/transport-suite';
import { createWsRelayTransport } from '../../src/mesh/ws-relay';

export const nodeWebSocket = (url: string): WebSocketLike => new WebSocket(url) as unknown as WebSocketLike;

let roomCounter = 0;

for (const keyed of [false, true]) {
  runTransportTests(`ws-relay${keyed ? ' (sealed with a room key)' : ''}`, async () => {
    const server: SignalingServer = createSignalingServer({ port: 0 });
    await server.ready;
    const url = `ws://127.0.0.1:${server.address().port}/signal`;
    const name = `relay-room-${++roomCounter}`;
    const room = await roomHash(name);
    // Few iterations: the test is about sealing, not about slowing down guessing.
    const cipher = keyed ? await createRoomCipher(name, 'secret', 1000) : null;
    return {
      create: (n) =>
        Promise.resolve(
          Array.from({ length: n }, (_, i) => {
            const client = new SignalingClient({ url, room, peerId: asPeerId(`p${i}`), webSocket: nodeWebSocket });
            return createWsRelayTransport({ rendezvous: new Rendezvous(client, cipher), ownsClient: true });
          }),
        ),
      cleanup: () => server.close(),
    };
  });
}
