// `kinetic-mesh/webrtc`: direct WebRTC data channels between peers (simple-peer, an optional peer dependency),
// and a `joinRoom` that uses them. Kept out of the main entry so an app without WebRTC does not ship simple-peer.
import { broadcastChannelLink } from './mesh/broadcast-channel';
import type { IceServer } from './mesh/ice-server';
import { webRtcLink } from './mesh/webrtc';
import { wsRelayLink } from './mesh/ws-relay';
import { assembleJoin } from './join/assemble';
import { browserPlatform } from './join/browser';
import type { JoinedRoom, JoinOptions, ReactorSet, RoomTarget } from './join/types';

export { webRtcLink, createWebRtcTransport, type WebRtcOptions, type WebRtcTransport } from './mesh/webrtc';
export type { IceServer, WrtcModule } from './mesh/ice-server';

/**
 * `joinRoom` (see 'kinetic-mesh') with direct WebRTC links first — BroadcastChannel, WebRTC, then the server's
 * relay — and the STUN/TURN servers to find a path with: `iceServers: [{ urls: 'stun:stun.example.org' }]`.
 */
export function joinRoom<R extends ReactorSet = Record<never, never>, U extends ReactorSet = Record<never, never>>(
  target: RoomTarget,
  options: JoinOptions<R, U> & { readonly iceServers?: readonly IceServer[] } = {},
): Promise<JoinedRoom<R, U>> {
  const { iceServers, ...rest } = options;
  const links = (signaling: boolean) => (signaling ? [broadcastChannelLink(), webRtcLink(iceServers ? { iceServers } : {}), wsRelayLink()] : [broadcastChannelLink()]);
  return assembleJoin(target, rest, browserPlatform(links));
}
