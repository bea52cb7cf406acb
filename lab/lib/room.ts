// What the in-process labs share: a signaling server on a loopback port, N Node peers in one room on it
// (waited for until every one sees them all and a sequencer), and the cost-free `work` reactor of bench dcm.
import { createSignalingServer } from '../../signaling-server/src/index';
import { asPeerId } from '../../src/core/ids';
import { reactor } from '../../src/core/reactor';
import { type NodePeer, type NodePeerOptions, startNodePeer } from '../../src/node/peer';

/** bench dcm's reaction: one distributed `job` consumed by a body that does nothing. */
export const work = reactor({ name: 'bench-work', version: '1.0.0' }, (r) => {
  const job = r.molecule<number>('job', { distributed: true });
  r.react('work', [job], () => undefined);
  return { job };
});

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface LabRoom {
  readonly peers: NodePeer[];
  /** Stop every peer and the server. */
  stop(): Promise<void>;
}

/** `n` peers (`p0`… unless `peerId` names them) in room `roomName`, formed. `options`: more peer options. */
export async function labRoom(
  n: number,
  roomName: string,
  peerId: (i: number) => string = (i) => `p${i}`,
  options: Partial<NodePeerOptions> = {},
): Promise<LabRoom> {
  const server = createSignalingServer({ port: 0, limits: { leaseTtlMs: 500, messagesPerSecond: 1_000_000 } });
  await server.ready;
  const signalingUrl = `ws://127.0.0.1:${server.address().port}/signal`;
  const peers = await Promise.all(
    Array.from({ length: n }, (_, i) => startNodePeer({ ...options, signalingUrl, roomName, peerId: asPeerId(peerId(i)) })),
  );
  while (!peers.every((p) => p.room.status().members.length === n && p.room.status().sequencer !== null)) await sleep(10);
  return {
    peers,
    async stop() {
      await Promise.all(peers.map((p) => p.stop()));
      await server.close();
    },
  };
}
