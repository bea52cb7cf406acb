// webrtc (simple-peer + @roamhq/wrtc in Node) through the shared acceptance suite, signaling via a real server.
import { isMainThread } from 'node:worker_threads';
import wrtc from '@roamhq/wrtc';
import { asPeerId } from '../../src/core/ids';
import { roomHash } from '../../src/mesh/room/crypto';
import { runTransportTests } from '../../src/mesh/testing/transport-suite';
import { createWebRtcTransport } from '../../src/mesh/webrtc';
import { rendezvous, startServer } from './node-peers';

let roomCounter = 0;

// @roamhq/wrtc's native addon segfaults when a worker *thread* exits, so this file needs a process of its own:
// `vitest run --pool=forks test/mesh/webrtc.test.ts` (the CI config runs it that way). Under the threads
// pool it is skipped rather than crashing the run.
const inOwnProcess = isMainThread;

runTransportTests(
  inOwnProcess ? 'webrtc (wrtc)' : 'webrtc (wrtc) [needs --pool=forks]',
  async () => {
    const { server, url } = await startServer();
    const room = await roomHash(`rtc-room-${++roomCounter}`);
    return {
      create: (n) =>
        Promise.resolve(
          Array.from({ length: n }, (_, i) =>
            createWebRtcTransport({ rendezvous: rendezvous(url, room, asPeerId(`p${i}`)), ownsClient: true, wrtc: wrtc as never }),
          ),
        ),
      cleanup: () => server.close(),
    };
  },
  { linkTimeoutMs: 15_000, leaveWithinMs: 5000, skip: !inOwnProcess },
);
