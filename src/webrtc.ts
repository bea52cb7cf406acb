// `kinetic-mesh/webrtc`: direct WebRTC data channels between peers (simple-peer, an optional peer dependency),
// and a `joinRoom` that uses them. Kept out of the main entry so an app without WebRTC does not ship simple-peer.
import { broadcastChannelLink } from './mesh/broadcast-channel';
import type { IceServer } from './mesh/ice-server';
import { webRtcLink } from './mesh/webrtc';
import { wsRelayLink } from './mesh/ws-relay';
import { assembleJoin, resolveTarget } from './join/assemble';
import { loadIceSource } from './mesh/ice-source';
import { systemClock } from './core/clock';
import { browserPlatform } from './join/browser';
import type { JoinedRoom, JoinOptions, ReactorSet, RoomTarget } from './join/types';

export { webRtcLink, createWebRtcTransport, type WebRtcOptions, type WebRtcTransport } from './mesh/webrtc';
export type { IceServer, IceSettings, WrtcModule } from './mesh/ice-server';
export { loadIceSource, iceUrlFor, type IceSource } from './mesh/ice-source';

/**
 * `joinRoom` (see 'kinetic-mesh') with direct WebRTC links first — BroadcastChannel, WebRTC, then the server's
 * relay. The STUN/TURN servers to find a path with come from the signaling server's `/ice` (expiring TURN
 * credentials, refreshed), unless given here: `iceServers: [{ urls: 'stun:stun.example.org' }]`.
 */
export async function joinRoom<R extends ReactorSet = Record<never, never>, U extends ReactorSet = Record<never, never>>(
  target: RoomTarget,
  options: JoinOptions<R, U> & { readonly iceServers?: readonly IceServer[] } = {},
): Promise<JoinedRoom<R, U>> {
  const { iceServers, ...rest } = options;
  const platform = browserPlatform(() => []);
  const server = rest.signalingUrl === undefined ? (resolveTarget(target).signalingUrl ?? platform.defaultSignalingUrl()) : rest.signalingUrl;
  const ice = !iceServers && server && typeof fetch === 'function' ? await loadIceSource(server, (u, init) => fetch(u, init), rest.clock ?? systemClock) : null;
  const webrtc = ice ? webRtcLink({ iceSettings: () => ice.current() }) : webRtcLink(iceServers ? { iceServers } : {});
  const links = (signaling: boolean) => (signaling ? [broadcastChannelLink(), webrtc, wsRelayLink()] : [broadcastChannelLink()]);
  const room = await assembleJoin(target, rest, browserPlatform(links)).catch((e: unknown) => {
    ice?.dispose();
    throw e;
  });
  if (!ice) return room;
  const close = room.close.bind(room);
  return Object.assign(room, {
    close: async () => {
      ice.dispose();
      await close();
    },
  });
}
