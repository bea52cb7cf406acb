// The room's public option and event types (kept apart so the UI and workers can import them cheaply).
import type { Clock, Random } from '../../core/clock';
import type { PeerId } from '../../core/ids';
import type { LivenessOptions, MemberView } from './members';
import type { IdStorage } from '../peer-id';
import type { LinkFactory } from './links';
import type { WebSocketFactory } from '../signaling-client';
import type { TransportEvents } from '../transport';
import type { MisbehaviorOptions } from './misbehavior';

export type SignalingStatus = 'connected' | 'connecting' | 'offline';

/** What is wrong with the room as this peer sees it. The app puts it into words (workers/client/problem-words.ts). */
export const MeshRoomProblem = {
  /** The signaling server cannot be reached; links already made keep working, the client retries. */
  ServerUnreachable: 'server-unreachable',
  /** Another tab held this tab's peer id (a duplicated tab copies sessionStorage); the room took a new one. */
  PeerIdTaken: 'peer-id-taken',
  /** A peer's sealed message could not be opened: the peers use different keys for this room. */
  WrongKey: 'wrong-key',
  /**
   * The server says a room by this name is open under another key while no peer here shares ours: our key is
   * probably wrong (or theirs is). Keyed rooms live at key-derived ids, so a wrong key lands alone.
   */
  KeyMismatch: 'key-mismatch',
} as const;
export type MeshRoomProblem = (typeof MeshRoomProblem)[keyof typeof MeshRoomProblem];

export type MeshRoomEvents = TransportEvents & {
  /** The membership snapshot changed (join, leave, name, state, link, RTT). */
  members: readonly MemberView[];
  signaling: SignalingStatus;
};

export interface MeshRoomOptions {
  readonly roomName: string;
  /** The room secret from the link; without one nothing is sealed (headless tests, trusted LANs only). */
  readonly key?: string;
  /** ws(s)://host/signal; omit for a server-less room (BroadcastChannel only). */
  readonly signalingUrl?: string;
  readonly displayName?: string;
  /** Fixed id; otherwise one per tab from `storage` (sessionStorage), stable across reloads. */
  readonly peerId?: PeerId;
  readonly storage?: IdStorage | null;
  /** Link factories, e.g. [broadcastChannelLink(), webRtcLink(), wsRelayLink()]. */
  readonly links: readonly LinkFactory[];
  readonly webSocket?: WebSocketFactory;
  readonly liveness?: Partial<LivenessOptions>;
  readonly clock?: Clock;
  readonly random?: Random;
  /** When a peer that keeps sending refused messages is cut off, and for how long (see misbehavior.ts). */
  readonly misbehavior?: Partial<MisbehaviorOptions>;
  /** PBKDF2 iterations (tests lower it). */
  readonly keyIterations?: number;
}
