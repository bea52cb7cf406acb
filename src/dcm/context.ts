// What the roles of one peer (replica, recovering sequencer, serving sequencer, requester) share.
import type { Clock, Random } from '../core/clock';
import type { ClaimId, Epoch, MoleculeId, PeerId } from '../core/ids';
import type { Logger } from '../core/log';
import type { Histories } from './genesis';
import type { Message } from './messages';
import type { ReplicatedLog } from './replicated-log';

/** Protocol timings in milliseconds. The defaults suit loopback and LAN rooms. */
export interface RoomTimings {
  /** Sequencer → replicas heartbeat; also the retransmission period for unacknowledged entries. */
  readonly heartbeatMs: number;
  /** The heartbeat to a replica that is caught up and knows the commit index (nothing pending for it). */
  readonly idleHeartbeatMs: number;
  /** A claim not renewed for this long expires; holders renew every third of it. */
  readonly claimTtlMs: number;
  /** Requests (outbox emissions, commits) without an answer are sent again after this. */
  readonly resendMs: number;
  /** A member unreachable for this long is removed from the configuration by the sequencer. */
  readonly removeAfterMs: number;
  /**
   * Compact the log into a snapshot every this many committed entries. A snapshot holds the state and the last
   * RECENT_COMMITS (10,000) claim ids, so every compaction copies ≥ 10,000 references at every replica and
   * writes them to its store: at 1,000 that was ~10 per entry applied and 6 % of a busy room's allocation (old
   * space too: the store keeps each snapshot until the next). At 4,000 it is ~2.5; a restart replays at most
   * 4,000 entries, and memory holds at most 3 × 4,000 (two periods kept for replicas that lag).
   */
  readonly compactEvery: number;
  /**
   * A sequencer whose log is empty and whose epoch is not the room's first waits this long for a peer
   * with history before starting a new room history (Infinity: never, wait for a peer with history).
   */
  readonly bootstrapAfterMs: number;
  /** A candidate of the room's first epoch with no peer linked at all starts the history after this long. */
  readonly soloBootstrapMs: number;
  /**
   * A fresh copy is left to its preferred host (rendezvous hash over the reactor's hosts) for this long
   * before any host may take it; 0 turns affinity off (every host races for every copy). Hold-backs are
   * matching policy only: the soup snapshot lists copies through `DistributedPort.copies`, so a held copy
   * is never missing from the UI.
   */
  readonly affinityGraceMs: number;
  /**
   * Inbound work (messages, link losses, the tick) handled per turn before the rest waits for a later turn,
   * so timers — the lease's renewal, the mesh's pings — run on time in a process behind on its input (inbound.ts).
   */
  readonly inboundSliceMs: number;
}

export const defaultTimings: RoomTimings = {
  heartbeatMs: 50,
  idleHeartbeatMs: 1000,
  claimTtlMs: 3000,
  resendMs: 250,
  removeAfterMs: 1000,
  compactEvery: 4000,
  bootstrapAfterMs: 3000,
  soloBootstrapMs: 1000,
  affinityGraceMs: 100,
  inboundSliceMs: 5,
};

/**
 * The least time between two flushes of appends (and claim hints) to `replicas` peers: none in a room of
 * up to eight (latency first), then a millisecond per replica, so a busy sequencer's connection carries
 * ≤ ~1,000 frames/s however large the room (the server allows 2,000 per connection) and each append
 * batches the entries of those milliseconds.
 */
export const flushGap = (replicas: number): number => (replicas < 8 ? 0 : replicas);

/**
 * Deliberate protocol bugs for the mutation test: the simulation's checker must catch each of them,
 * which shows it cannot pass vacuously. Never set outside tests.
 */
export interface ProtocolFaults {
  /** Commit (and acknowledge) as soon as the sequencer itself stored an entry, without a quorum. */
  readonly skipQuorum?: boolean;
  /** Accept commits whose claim is unknown, expired or from another epoch. */
  readonly skipFencing?: boolean;
  /** A new sequencer serves from its own log without adopting the most advanced one of a quorum. */
  readonly skipRecovery?: boolean;
  /** A replica learns an entry is committed as soon as it stores it, without a majority's acknowledgements. */
  readonly learnWithoutQuorum?: boolean;
  /** The acceptor admits ballots older than the one it promised (no epoch fencing). */
  readonly admitOlderEpochs?: boolean;
  /** A replica acknowledges an append before its write landed. */
  readonly ackBeforeDurable?: boolean;
  /** A promise counts (and is answered) before its write landed. */
  readonly promiseBeforeDurable?: boolean;
  /** Ballots are bare epoch numbers, trusted from the server (no owner: one number handed out twice is used twice). */
  readonly trustServerEpochs?: boolean;
  /** No fail-stop: the store's write chain goes on after a failed write (the durable mark moves past it) and the replica keeps running. */
  readonly continueAfterFailedWrite?: boolean;
  /** The wire encoder leaves a commit's consumed ids out of its compact form (a field lost on the wire). */
  readonly lossyCommitText?: boolean;
  /**
   * The store's log keeps what a cut removed: a new run is written at the cut, but the runs after it stay and a
   * run the cut falls inside is not rewritten (log-runs.ts StoredRuns.replace), so a restart reads the cut entries.
   */
  readonly keepCutRuns?: boolean;
  /** The outbox never resends on its own (only to a new sequencer): an emission lost on the way stays queued. */
  readonly skipResend?: boolean;
}

/** An epoch more than this far above the highest one known here (elector, promise, log) is refused. */
export const MAX_EPOCH_STEP = 64;
/** No epoch at or above this is ever promised (far below 2^53: counting up from here can never overflow). */
export const MAX_EPOCH = 2 ** 40;

export interface RoomContext {
  readonly self: PeerId;
  readonly clock: Clock;
  readonly random: Random;
  readonly rlog: ReplicatedLog;
  readonly timings: RoomTimings;
  readonly faults: ProtocolFaults;
  readonly log: Logger;
  /** Which history of the room this replica holds; who holds another (genesis.ts). */
  readonly histories: Histories;
  /** Send to a peer: queued and sent with the rest of this turn's messages to it (to self: on a microtask). */
  send(to: PeerId, message: Message): void;
  /**
   * Put `message` in the place of `queued`, sent to `to` earlier in this turn and still waiting for the flush;
   * false when it has left already (or went to this peer itself): then nothing changed.
   */
  replace(to: PeerId, queued: Message, message: Message): boolean;
  /**
   * The last message sent to `to` that has not left yet (sent this turn; to this peer itself: not delivered
   * yet). Until something else is sent to `to`, it may still be extended: it leaves after everything before it.
   */
  lastQueued(to: PeerId): Message | undefined;
  /** This turn's messages to `to` leave before those to other peers (Outgoing.hurry): `to` waits on them. */
  hurry(to: PeerId): void;
  /** Peers with a link up now, but those holding another history of the room. */
  peers(): readonly PeerId[];
  /** Run `fn` once the current turn is over (the clock's `defer`). */
  defer(fn: () => void): void;
  /** Run `fn` just before this turn's messages leave (Outgoing.beforeFlush): it may still send. */
  beforeFlush(fn: () => void): void;
  /** An epoch seen anywhere: the elector makes the next term higher, roles step down. */
  observeEpoch(epoch: Epoch): void;
  /** This process's ballot owner (`<peer id>~<incarnation>`): two processes of one peer never share a ballot. */
  readonly owner: string;
  /**
   * Persist the promise never to accept a ballot older than (epoch, owner) nor the same epoch of another
   * owner; resolves true once durable (false when the store failed or a higher promise landed first). The
   * promise counts — `promised()` — only from then on.
   */
  promise(epoch: Epoch, owner: string): Promise<boolean>;
  promised(): Epoch;
  promisedOwner(): string;
  /** Who the election (lease) says leads now, or null when it says nobody / cannot say (Web Locks watchers). */
  elected(): PeerId | null;
  /** The highest epoch a ballot may have here now (refuse anything above: a poisoned or forged epoch). */
  ceiling(): Epoch;
  /** A peer broke the protocol (forged ballot, borrowed source): dropped and counted. */
  refused(from: PeerId, why: string): void;
  /** Observation hooks for the simulation checker and the UI. */
  record(event: RoomHistoryEvent): void;
}

/** Facts a room reports about itself, in the order they happened (the simulation's history). */
export type RoomHistoryEvent =
  | { readonly type: 'claim-granted'; readonly claimId: ClaimId; readonly holder: PeerId; readonly epoch: Epoch; readonly ids: readonly MoleculeId[] }
  | { readonly type: 'claim-dropped'; readonly claimId: ClaimId; readonly reason: string }
  | { readonly type: 'commit-appended'; readonly claimId: ClaimId; readonly claimEpoch: Epoch | null; readonly epoch: Epoch; readonly index: number; readonly claimLive: boolean }
  | { readonly type: 'commit-acknowledged'; readonly claimId: ClaimId; readonly reaction: string }
  | { readonly type: 'commit-fenced'; readonly claimId: ClaimId; readonly reaction: string }
  | { readonly type: 'emitted'; readonly source: string; readonly seq: number; readonly reactor: string; readonly name: string }
  /** The emission's outbox write landed: from now on it is never lost. */
  | { readonly type: 'emit-durable'; readonly source: string; readonly seq: number }
  | { readonly type: 'leading'; readonly epoch: Epoch; readonly lastIndex: number }
  | { readonly type: 'stepped-down'; readonly epoch: Epoch }
  /** Our lease ran out by our own clock while the server still named us: the term waits for a renewal (roles.ts). */
  | { readonly type: 'paused'; readonly epoch: Epoch };

/** Index replicated on a majority of `members` (each member's match index; absent members count 0). */
export function majorityIndex(members: readonly PeerId[], match: (p: PeerId) => number): number {
  if (members.length === 0) return 0;
  // Sorted descending by insertion in place (a handful of members; this runs for every acknowledgement).
  const xs = members.map(match);
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i] as number;
    let j = i - 1;
    for (; j >= 0 && (xs[j] as number) < x; j--) xs[j + 1] = xs[j] as number;
    xs[j + 1] = x;
  }
  return xs[Math.floor(members.length / 2)] ?? 0;
}

export const isMajority = (members: readonly PeerId[], have: (p: PeerId) => boolean): boolean =>
  members.filter(have).length * 2 > members.length;
