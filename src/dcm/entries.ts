// The replicated operation log's entries and the snapshot that compacts them. Every peer applies the
// committed prefix of one log, in order, to its replica: that is the whole state of the room's
// distributed molecules. Claims are deliberately NOT entries (see docs/protocol.md): a claim lost with its
// sequencer only fences its holder's commit, so claims live in the sequencer's memory.
import type { DistributedMolecule } from '../core/distributed-port';
import { NO_EPOCH, type ClaimId, type Epoch, type MoleculeId, type PeerId } from '../core/ids';

/** A reply to a distributed blocking call, delivered to `to` when the commit that carries it is applied. */
export interface ReplyOutput {
  readonly to: PeerId;
  readonly callId: string;
  readonly value: unknown;
}

/** First entry of every sequencer term: committing it decides every entry before it (Raft's no-op). */
export interface TermEntry {
  readonly type: 'term';
  readonly epoch: Epoch;
  readonly leader: PeerId;
  /** On the first term entry of a history only: the history's genesis id (genesis.ts). */
  readonly genesis?: string | undefined;
}

/** The voting members from this entry on (in effect as soon as appended, one member changed at a time). */
export interface ConfigEntry {
  readonly type: 'config';
  readonly epoch: Epoch;
  readonly members: readonly PeerId[];
}

/** A molecule enters the room. (source, seq) is the outbox idempotency key: applied at most once. */
export interface EmitEntry {
  readonly type: 'emit';
  readonly epoch: Epoch;
  readonly source: string;
  readonly seq: number;
  readonly molecule: DistributedMolecule;
}

/** One reaction's effect, atomically: inputs removed, outputs added, replies routed. */
export interface CommitEntry {
  readonly type: 'commit';
  readonly epoch: Epoch;
  readonly claimId: ClaimId;
  readonly holder: PeerId;
  readonly reaction: string;
  readonly consumed: readonly MoleculeId[];
  readonly produced: readonly DistributedMolecule[];
  readonly replies: readonly ReplyOutput[];
}

export type Entry = TermEntry | ConfigEntry | EmitEntry | CommitEntry;

/** Outbox de-duplication per source: every seq ≤ upTo was applied, plus the listed ones above it. */
export interface DeliveredSeqs {
  readonly source: string;
  readonly upTo: number;
  readonly above: readonly number[];
}

/** The replica state at `index`, replacing the log prefix up to it (late joiners, compaction). */
export interface Snapshot {
  readonly index: number;
  readonly epoch: Epoch;
  readonly members: readonly PeerId[];
  readonly molecules: readonly DistributedMolecule[];
  readonly delivered: readonly DeliveredSeqs[];
  /**
   * Claim ids of the most recent commits (bounded): a holder whose commit entry was folded into a snapshot
   * before it saw it applied still learns that it committed.
   */
  readonly commits: readonly ClaimId[];
}

export const emptySnapshot: Snapshot = { index: 0, epoch: NO_EPOCH, members: [], molecules: [], delivered: [], commits: [] };

/** How many recent commit claim ids a replica (and its snapshots) remember. */
export const RECENT_COMMITS = 10_000;
