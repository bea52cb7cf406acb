// What the machine worker sends the main thread (at most ~10 times a second): everything about the machine
// and the room protocol. The client adds what only the main thread knows — membership, links, RTT,
// signaling — to make the UI's RoomView.
import type { PeerId, ReactorId } from '../../src/core/ids';
import type { ClaimView, HistoryInfo, MoleculeGroupView, ReactorView } from './room-view';

export interface MachineSnapshot {
  readonly room: string;
  readonly self: PeerId;
  readonly displayName: string;
  readonly role: 'sequencer' | 'recovering' | 'replica';
  readonly sequencer: PeerId | null;
  /** Voting members of the room's configuration, as this replica knows it. */
  readonly members: readonly PeerId[];
  readonly epoch: number;
  readonly reactors: ReactorView[];
  readonly molecules: MoleculeGroupView[];
  readonly claims: ClaimView[];
  readonly outbox: number;
  /** Which reactors each peer in the room hosts (from the room's catalog). */
  readonly hosts: Record<string, ReactorId[]>;
  /** The last storage failure (quota, blocked upgrade), in plain words, or null. */
  readonly storageError: string | null;
  /** A plain-words problem from the worker side (e.g. a reactor that failed to load), or null. */
  readonly problem: string | null;
  readonly history: HistoryInfo;
}
