// `joinRoom` in a browser tab: IndexedDB (one database per room), one identity per tab held by a Web Lock
// (a reload comes back as the same peer, a second tab gets its own), links over BroadcastChannel and the
// signaling server's relay (`kinetic-mesh/webrtc` adds direct WebRTC links), and leaving on pagehide.
// Everything runs on this thread; the app in this repository runs the same parts in a worker instead.
import { broadcastChannelLink } from '../mesh/broadcast-channel';
import { leaveOnPageHide } from '../mesh/page-lifecycle';
import type { LinkFactory } from '../mesh/room/links';
import { wsRelayLink } from '../mesh/ws-relay';
import { openIdbStore } from '../store/idb';
import { logger } from '../core/log';
import { assembleJoin, type JoinPlatform } from './assemble';
import type { JoinedRoom, JoinOptions, ReactorSet, RoomTarget } from './types';

/**
 * Join a room from a browser tab: `await joinRoom(location.href, { reactors: { counter } })`, then
 * `emit.counter.incr()`. Resolves once this peer's state is restored from IndexedDB; the room is reached in
 * the background (`connected`). In Node, import `joinRoom` from `kinetic-mesh/node`.
 */
export function joinRoom<R extends ReactorSet = Record<never, never>, U extends ReactorSet = Record<never, never>>(target: RoomTarget, options: JoinOptions<R, U> = {}): Promise<JoinedRoom<R, U>> {
  return assembleJoin(target, options, browserPlatform((signaling) => (signaling ? [broadcastChannelLink(), wsRelayLink()] : [broadcastChannelLink()])));
}

const log = logger('kinetic:join');
const peerKey = (room: string): string => `kinetic-mesh:peer:${room}`;

/** The browser's defaults, with `links` as the default link set. */
export function browserPlatform(links: (signaling: boolean) => LinkFactory[]): JoinPlatform {
  return {
    async openStore(scope) {
      if (typeof indexedDB === 'undefined') throw new Error("joinRoom from 'kinetic-mesh' needs IndexedDB (a browser); in Node import joinRoom from 'kinetic-mesh/node', or pass a store");
      return openIdbStore({ name: scope });
    },
    locks: globalThis.navigator?.locks ?? null,
    preferredPeer: (room) => session((s) => s.getItem(peerKey(room))),
    rememberPeer: (room, id) => void session((s) => s.setItem(peerKey(room), id)),
    defaultSignalingUrl: () => (typeof location !== 'undefined' && location.host ? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal` : null),
    defaultLinks: links,
    onPageHide(mesh, flush) {
      if (typeof addEventListener !== 'function') return () => undefined;
      const stopLeaving = leaveOnPageHide(mesh, globalThis as unknown as Parameters<typeof leaveOnPageHide>[1]);
      const onHide = (): void => void flush().catch((e: unknown) => log('flush on pagehide failed', e));
      addEventListener('pagehide', onHide);
      return () => {
        stopLeaving();
        removeEventListener('pagehide', onHide);
      };
    },
  };
}

/** sessionStorage may be missing or disabled (privacy modes): then a reload takes the freshest free identity. */
function session<T>(use: (s: Storage) => T): T | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : use(sessionStorage);
  } catch {
    return null;
  }
}
