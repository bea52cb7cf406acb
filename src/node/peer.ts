// A headless Node peer: a mesh room over the signaling server's relay (ws), the server-lease elector, a
// distributed room and a chemical machine — the same stack a browser tab runs, minus the UI and workers.
// Used by the multi-process integration test, the benchmark, and anyone who wants a peer on a server.
import { systemClock, systemRandom, type Clock, type Random } from '../core/clock';
import type { PeerId } from '../core/ids';
import { createMachine } from '../core/machine';
import type { Machine } from '../core/machine-api';
import type { RoomTimings } from '../dcm/context';
import { createLeaseElector } from '../dcm/electors/lease';
import type { ClaimMode } from '../dcm/requester';
import { createDistributedRoom, type DistributedRoom } from '../dcm/room';
import { createMeshRoom, type MeshRoom } from '../mesh/room/mesh-room';
import { nodeWsSocket } from './ws-factory';
import type { LinkFactory } from '../mesh/room/links';
import type { MisbehaviorOptions } from '../mesh/room/misbehavior';
import { wsRelayLink } from '../mesh/ws-relay';
import { createMemoryStore } from '../store/memory';
import type { Store } from '../store/store';

export interface NodePeerOptions {
  readonly signalingUrl: string;
  readonly roomName: string;
  readonly peerId: PeerId;
  /** Room secret (seals signaling); omit for trusted test networks. */
  readonly key?: string;
  /** Where the replica, log and outbox live (default: memory, lost with the process). */
  readonly store?: Store;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly timings?: Partial<RoomTimings>;
  readonly claimMode?: ClaimMode;
  /**
   * Links to other peers, preferred first (default: the signaling server's relay only). Direct data channels
   * in Node: `[webRtcLink({ wrtc }), wsRelayLink()]` with `@roamhq/wrtc`.
   */
  readonly links?: readonly LinkFactory[];
  /** Mesh heartbeat: a peer silent this long is dropped (default: the mesh's). */
  readonly deadAfterMs?: number;
  /** When a peer that keeps sending refused messages is cut off (default: the mesh's; see misbehavior.ts). */
  readonly misbehavior?: Partial<MisbehaviorOptions>;
}

export interface NodePeer {
  readonly mesh: MeshRoom;
  readonly room: DistributedRoom;
  readonly machine: Machine;
  /** Leave cleanly (hand over the sequencer role, say goodbye). */
  stop(): Promise<void>;
}


export async function startNodePeer(o: NodePeerOptions): Promise<NodePeer> {
  const clock = o.clock ?? systemClock;
  const random = o.random ?? systemRandom;
  const mesh = createMeshRoom({
    roomName: o.roomName,
    ...(o.key ? { key: o.key } : {}),
    signalingUrl: o.signalingUrl,
    peerId: o.peerId,
    links: o.links ? [...o.links] : [wsRelayLink()],
    webSocket: nodeWsSocket,
    clock,
    random,
    ...(o.misbehavior ? { misbehavior: o.misbehavior } : {}),
    ...(o.deadAfterMs ? { liveness: { heartbeatMs: Math.max(20, o.deadAfterMs / 5), deadAfterMs: o.deadAfterMs } } : {}),
  });
  const elector = createLeaseElector({ self: o.peerId, lease: mesh.lease, clock });
  const room = createDistributedRoom({
    self: o.peerId,
    transport: mesh,
    elector,
    store: o.store ?? createMemoryStore(),
    clock,
    random,
    ...(o.timings ? { timings: o.timings } : {}),
    ...(o.claimMode ? { claimMode: o.claimMode } : {}),
  });
  const machine = createMachine({ peerId: o.peerId, clock, random, distributed: room });
  await room.start();
  await mesh.connect();
  return {
    mesh,
    room,
    machine,
    async stop() {
      await room.stop();
      machine.dispose();
      await mesh.disconnect();
    },
  };
}
