// One joined session of a room: the signaling client, the sealed rendezvous and a fresh set of links. A room
// opens a new session on every connect() (so leave + rejoin starts clean) and closes it on disconnect().
import type { Clock, Random } from '../../core/clock';
import type { PeerId } from '../../core/ids';
import { Rendezvous } from '../rendezvous';
import type { RoomCipher } from './crypto';
import type { LinkContext, LinkFactory } from './links';
import { SignalingClient, type WebSocketFactory } from '../signaling-client';
import { TransportKind, type Transport } from '../transport';

export interface SessionConfig {
  readonly self: PeerId;
  readonly roomName: string;
  readonly roomHash: string;
  /** Keyed rooms: what the server needs to seat us (see room-crypto deriveRoomSecrets). */
  readonly admission?: { readonly proof: string; readonly tag: string };
  readonly cipher: Promise<RoomCipher | null>;
  readonly signalingUrl: string | undefined;
  readonly webSocket: WebSocketFactory | undefined;
  readonly links: readonly LinkFactory[];
  readonly clock: Clock;
  readonly random: Random;
}

export interface LinkSession {
  readonly links: readonly Transport[];
  readonly client: SignalingClient | null;
  readonly rendezvous: Rendezvous | null;
  /** Unsubscribers for everything the room attached to this session. */
  readonly offs: Array<() => void>;
}

export function openSession(cfg: SessionConfig): LinkSession {
  const client = cfg.signalingUrl
    ? new SignalingClient({ url: cfg.signalingUrl, room: cfg.roomHash, ...cfg.admission, peerId: cfg.self, clock: cfg.clock, random: cfg.random, ...(cfg.webSocket ? { webSocket: cfg.webSocket } : {}) })
    : null;
  // The rendezvous takes the cipher as a promise: the key derives while the socket connects.
  const rendezvous = client ? new Rendezvous(client, cfg.cipher) : null;
  const ctx: LinkContext = { self: cfg.self, roomName: cfg.roomName, roomHash: cfg.roomHash, cipher: cfg.cipher, rendezvous, clock: cfg.clock, random: cfg.random };
  const links = cfg.links.map((f) => f(ctx)).filter((l): l is Transport => l !== null);
  return { links, client, rendezvous, offs: [] };
}

/** Connect every link; the returned attempts settle individually (the room needs any one of them). */
export function connectSession(s: LinkSession): Array<Promise<void>> {
  const attempts = s.links.map((l) => l.connect());
  // The signaling session also serves the lease, even when no link uses the server.
  if (s.client && !s.links.some((l) => l.kind === TransportKind.WsRelay || l.kind === TransportKind.WebRTC)) attempts.push(s.client.connect());
  return attempts;
}

export async function closeSession(s: LinkSession, onError: (e: unknown) => void): Promise<void> {
  for (const off of s.offs) off();
  await Promise.all(s.links.map((l) => l.disconnect().catch(onError)));
  await s.client?.close();
}

/** The reason Promise.any gave up (an empty AggregateError means the room had no usable link at all). */
export function firstError(e: unknown): Error {
  const first: unknown = e instanceof AggregateError ? e.errors[0] : e;
  if (first instanceof Error) return first;
  return new Error('room has no usable link here: give it a signaling URL or run where BroadcastChannel exists');
}
