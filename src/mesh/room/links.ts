// Which links a room builds, and how they rank. The room asks this module for a fresh set on every join, so
// a leave + rejoin starts from clean transports.
import type { Clock, Random } from '../../core/clock';
import type { PeerId } from '../../core/ids';
import type { Rendezvous } from '../rendezvous';
import type { RoomCipher } from './crypto';
import type { Transport, TransportKind } from '../transport';

/** Lower is better: same-browser channels beat a data channel, which beats the server relay. */
export const LINK_RANK: Readonly<Record<string, number>> = {
  'broadcast-channel': 0,
  memory: 1,
  webrtc: 2,
  peerjs: 3,
  'ws-relay': 4,
};

export const rankOf = (kind: string): number => LINK_RANK[kind] ?? 9;

/** Everything a link factory may need for one session of the room. */
export interface LinkContext {
  readonly self: PeerId;
  readonly roomName: string;
  /** base64url SHA-256 of the room name: the only room identifier any server sees. */
  readonly roomHash: string;
  /** Resolves to the room cipher, or null for a room without a key. */
  readonly cipher: Promise<RoomCipher | null>;
  /** The sealed rendezvous over the signaling server, or null when the room has no signaling URL. */
  readonly rendezvous: Rendezvous | null;
  readonly clock: Clock;
  readonly random: Random;
}

/** Builds one link transport for a session; may return null when it cannot run here (no WebRTC, no server). */
export type LinkFactory = (ctx: LinkContext) => Transport | null;

/** A link with a peer that can be torn down on demand (the heartbeat saw the peer vanish). */
export interface DroppableLink {
  drop(peer: PeerId, reason: string): void;
}

export const isDroppable = (t: Transport): t is Transport & DroppableLink => typeof (t as Partial<DroppableLink>).drop === 'function';

/**
 * A shared link (the relay through the signaling server) that can stop carrying one peer: used to cut off a
 * misbehaving peer. It comes back by itself when that peer is heard from again (the room decides then).
 */
export interface SeverableLink {
  sever(peer: PeerId, reason: string): void;
}

export const isSeverable = (t: Transport): t is Transport & SeverableLink => typeof (t as Partial<SeverableLink>).sever === 'function';

export const linkKindOf = (t: Transport): TransportKind => t.kind;
