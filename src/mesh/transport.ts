// The Transport port. Adapters (webrtc, broadcast-channel, ws-relay, peerjs, memory) are leaves that
// implement it; the room (membership over several transports) implements it too, so the distributed
// molecule protocol talks to one Transport whatever links are underneath.
import type { PeerId } from '../core/ids';

export const TransportKind = {
  WebRTC: 'webrtc',
  BroadcastChannel: 'broadcast-channel',
  WsRelay: 'ws-relay',
  PeerJS: 'peerjs',
  Memory: 'memory',
  Mesh: 'mesh',
} as const;
export type TransportKind = (typeof TransportKind)[keyof typeof TransportKind];

// A type alias (not an interface) so it satisfies Emitter's Record<string, unknown> constraint.
export type TransportEvents = {
  /** A peer was discovered (signaling, BroadcastChannel hello); a link is being made. */
  'peer-candidate': { peerId: PeerId };
  /** A link to the peer is up: send() to it now works. */
  'peer-connected': { peerId: PeerId };
  /** The link is gone (goodbye, heartbeat timeout, ICE failure). */
  'peer-disconnected': { peerId: PeerId; reason: string };
  /** A whole message (reassembled if it was chunked), in order per sender. Not yet validated by the receiver. */
  message: { from: PeerId; message: unknown };
  /** A background failure; the transport keeps going. */
  error: Error;
};

export interface Transport {
  readonly kind: TransportKind;
  readonly self: PeerId;
  /** Join: start discovering and linking peers. Resolves once the transport can send. */
  connect(): Promise<void>;
  /** Resolves when connect() has completed. */
  whenReady(): Promise<void>;
  /** Peers with a link up right now. */
  peers(): readonly PeerId[];
  /**
   * Send a JSON-compatible value to one peer, in order, any size (adapters chunk).
   * Returns false (and emits nothing) when there is no link to that peer: the caller decides what to do.
   */
  send(to: PeerId, message: unknown): boolean;
  /**
   * Send a message already encoded as JSON text (the receiver gets what `send(to, JSON.parse(json))` would
   * give it): a sender that sends one message to many peers encodes it once. Optional: without it, send().
   */
  sendEncoded?(to: PeerId, json: string): boolean;
  /**
   * The receiver refused a message from `peer` (it failed validation above the transport). Transports that
   * track misbehaviour count it toward cutting the peer off (the mesh room does; see misbehavior.ts).
   */
  refused?(peer: PeerId): void;
  /** Leave: say goodbye to peers, close links. */
  disconnect(): Promise<void>;
  on<K extends keyof TransportEvents>(event: K, listener: (payload: TransportEvents[K]) => void): () => void;
}
