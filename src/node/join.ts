// `joinRoom` in Node: the room's state in a folder on disk (LevelDB via classic-level, one subfolder per
// room), so a restarted process comes back as the same peer with its replica, outbox and local molecules;
// links through the signaling server's relay; WebSocket from the platform or the `ws` package.
import path from 'node:path';
import type { WebSocketFactory, WebSocketLike } from '../mesh/signaling-client';
import { wsRelayLink } from '../mesh/ws-relay';
import { assembleJoin } from '../join/assemble';
import type { JoinedRoom, JoinOptions, ReactorSet, RoomTarget } from '../join/types';
import { DATABASE_PREFIX } from '../store/room-database';
import { openDiskStore } from './disk-store';

export interface NodeJoinOptions<R extends ReactorSet = ReactorSet, U extends ReactorSet = ReactorSet> extends JoinOptions<R, U> {
  /** Folder for the rooms' data (one subfolder per room). Default: `.kinetic-mesh` in the working directory. */
  readonly data?: string;
}

/**
 * Join a room from Node: `await joinRoom('https://host/#room=…&key=…', { reactors: { counter } })`.
 * The signaling server defaults to the link's own (`wss://host/signal`). One process per data folder.
 */
export async function joinRoom<R extends ReactorSet = Record<never, never>, U extends ReactorSet = Record<never, never>>(target: RoomTarget, options: NodeJoinOptions<R, U> = {}): Promise<JoinedRoom<R, U>> {
  const webSocket = await nodeWebSocket();
  const data = path.resolve(options.data ?? '.kinetic-mesh');
  return assembleJoin(target, options, {
    openStore: (scope) => openDiskStore(path.join(data, scope.slice(DATABASE_PREFIX.length))),
    locks: null,
    preferredPeer: () => null, // the most recently used identity in the folder: a restart resumes as that peer
    rememberPeer: () => undefined,
    webSocket,
    defaultSignalingUrl: () => null,
    defaultLinks: () => [wsRelayLink()],
  });
}

/** Node 22+ has a global WebSocket; Node 20 gets it from `ws` (an optional dependency of kinetic-mesh). */
export async function nodeWebSocket(): Promise<WebSocketFactory> {
  const global = (globalThis as { WebSocket?: new (url: string) => unknown }).WebSocket;
  if (global) return (url) => new global(url) as WebSocketLike;
  try {
    const { nodeWsSocket } = await import('./ws-factory');
    return nodeWsSocket;
  } catch (e) {
    throw new Error('kinetic-mesh/node needs a WebSocket: use Node 22 or later, or install the "ws" package', { cause: e });
  }
}
