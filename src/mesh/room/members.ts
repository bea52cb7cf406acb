// Who is in the room as this peer sees it: names, Kable-style states, RTT, liveness from a heartbeat of our own
// (ICE takes 10-30 s to notice a killed tab; we want ≤ 1.5 s), and which link each peer is reached by.
import type { PeerId } from '../../core/ids';
import type { TransportKind } from '../transport';

/** Kable's service states: up (joined), running (serving), busy (loaded), stopped (paused), down (gone). */
export const PeerState = { Up: 'up', Running: 'running', Busy: 'busy', Stopped: 'stopped', Down: 'down' } as const;
export type PeerState = (typeof PeerState)[keyof typeof PeerState];
export const PEER_STATES: readonly PeerState[] = Object.values(PeerState);

/** One member as the UI shows it (the PeerView fields the mesh knows). */
/** How the room shows a peer it cut off for sending what it refuses (see misbehavior.ts); never on the wire. */
export const MISBEHAVING = 'misbehaving';

export interface MemberView {
  readonly id: PeerId;
  readonly name: string;
  readonly state: PeerState | typeof MISBEHAVING;
  /** The link messages to this peer take now ('self' for this peer). */
  readonly link: TransportKind | 'self';
  /** Every link that is up to this peer, best first. */
  readonly links: readonly TransportKind[];
  readonly rttMs: number | null;
  readonly isSelf: boolean;
}

export interface LivenessOptions {
  /** How often a peer makes sure each of its ring neighbours has heard from it (a ping if nothing else went). */
  readonly heartbeatMs: number;
  /** A ring neighbour not heard from for this long is dropped (its tab crashed, was killed or frozen). */
  readonly deadAfterMs: number;
  /** Ring neighbours watched on each side (1: predecessor and successor, so every peer has two watchers). */
  readonly neighbors: number;
  /** A peer that lost a link but still has others must answer over them within this long, or is dropped. */
  readonly suspectMs: number;
  /** How often one peer outside the ring neighbourhood gets a round-trip probe (RTT for the UI). */
  readonly rttSampleMs: number;
}

// Worst-case detection is deadAfterMs + one heartbeat (≈1.35 s), inside the 1.5 s target with margin for a
// busy machine; a hidden tab still answers pings at once (message events are not throttled like timers).
// Idle cost is linear in the room: each peer keeps 2·neighbors links warm (liveness.ts).
export const DEFAULT_LIVENESS: LivenessOptions = { heartbeatMs: 250, deadAfterMs: 1100, neighbors: 1, suspectMs: 600, rttSampleMs: 2000 };

/** What the room knows about one remote peer. */
export class MemberRecord {
  name = '';
  state: PeerState = PeerState.Up;
  rttMs: number | null = null;
  lastHeard: number;
  /** When we last sent this peer anything (any frame tells it we are alive). */
  lastSent = -Infinity;
  /** Since when this peer is one of our ring neighbours (its silence counts from then), or null. */
  neighborSince: number | null = null;
  /**
   * A link to it went down while others stayed up, or a watcher reported it down: it must be heard from
   * after this within `suspectMs`, or it is dropped.
   */
  suspectSince: number | null = null;
  /** The watcher whose report made it a suspect (a second watcher's report drops it at once). */
  reportedBy: PeerId | null = null;
  /** Pings sent to it (every few asks for an echo, for RTT). */
  pings = 0;
  /** False after a heartbeat timeout or a goodbye, until the peer is heard from again. */
  alive = true;
  /** Sequence number of the next message this peer gets from us (restarts with every `hi` we send). */
  nextSeq = 0;
  /** The text of the next application frame to this peer around a message already encoded (takes its number). */
  encodedFrame(json: string): string {
    return `{"k":"m","s":${this.nextSeq++},"d":${json}}`;
  }

  constructor(
    readonly id: PeerId,
    now: number,
  ) {
    this.lastHeard = now;
  }

  /** RTT as an exponentially weighted mean: one slow sample (GC, a busy tab) should not swing the UI. */
  sampleRtt(ms: number): void {
    this.rttMs = this.rttMs === null ? ms : this.rttMs * 0.8 + ms * 0.2;
  }

  view(links: readonly TransportKind[]): MemberView {
    return {
      id: this.id,
      name: this.name || this.id,
      state: this.alive ? this.state : PeerState.Down,
      link: links[0] ?? 'ws-relay',
      links,
      rttMs: this.rttMs === null ? null : Math.round(this.rttMs * 100) / 100,
      isSelf: false,
    };
  }
}
