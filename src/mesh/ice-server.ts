// STUN/TURN servers and Node's WebRTC module as the public options take them. Declared here rather than
// borrowed from the DOM (RTCIceServer) or from simple-peer's types, so a consumer's type check needs
// neither the DOM library (Node) nor @types/simple-peer.

/** A STUN or TURN server: `{ urls: 'stun:stun.example.org' }`, `{ urls: 'turn:…', username, credential }`. */
export interface IceServer {
  readonly urls: string | string[];
  readonly username?: string;
  readonly credential?: string;
}

/** What a link is made with: the servers, and 'relay' to use TURN only (peers' addresses stay hidden). */
export interface IceSettings {
  readonly iceServers: readonly IceServer[];
  readonly iceTransportPolicy?: 'all' | 'relay';
}

/** Node's WebRTC implementation (e.g. `@roamhq/wrtc`); browsers have their own and omit it. */
export interface WrtcModule {
  readonly RTCPeerConnection: unknown;
  readonly RTCSessionDescription: unknown;
  readonly RTCIceCandidate: unknown;
}
