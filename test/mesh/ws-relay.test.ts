// ws-relay against a real signaling server on a free port, through the shared acceptance suite.
import { asPeerId } from '../../src/core/ids';
import { createRoomCipher, roomHash } from '../../src/mesh/room/crypto';
import { runTransportTests } from '../../src/mesh/testing/transport-suite';
import { createWsRelayTransport } from '../../src/mesh/ws-relay';
import { rendezvous, startServer } from './node-peers';

let roomCounter = 0;

for (const keyed of [false, true]) {
  runTransportTests(`ws-relay${keyed ? ' (sealed with a room key)' : ''}`, async () => {
    const { server, url } = await startServer();
    const name = `relay-room-${++roomCounter}`;
    const room = await roomHash(name);
    // Few iterations: the test is about sealing, not about slowing down guessing.
    const cipher = keyed ? await createRoomCipher(name, 'secret', 1000) : null;
    return {
      create: (n) =>
        Promise.resolve(
          Array.from({ length: n }, (_, i) => createWsRelayTransport({ rendezvous: rendezvous(url, room, asPeerId(`p${i}`), cipher), ownsClient: true })),
        ),
      cleanup: () => server.close(),
    };
  });
}
