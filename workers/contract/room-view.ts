// The contract between the machine worker (workers/, which owns machine + dcm + store) and the Svelte UI.
// The UI only renders RoomView snapshots and calls MachineClient methods: no business logic in components.
import type { PeerId, ReactorId } from '../../src/core/ids';
import type { TransportKind } from '../../src/mesh/transport';

export type PeerStateName = 'up' | 'running' | 'busy' | 'stopped' | 'down' | 'misbehaving';

export interface PeerView {
  id: PeerId;
  name: string;
  state: PeerStateName;
  /** The link messages to this peer take now; 'self' for this peer. */
  link: TransportKind | 'self';
  rttMs: number | null;
  reactors: ReactorId[];
  isSequencer: boolean;
  isSelf: boolean;
}

export interface ReactorView {
  id: ReactorId;
  name: string;
  version: string;
  loaded: boolean;
  hostedBy: PeerId[];
  molecules: { name: string; kind: 'molecule' | 'blocking' | 'latched'; distributed: boolean }[];
}

export interface MoleculeGroupView {
  reactor: ReactorId;
  reactorName: string;
  name: string;
  distributed: boolean;
  latched: boolean;
  count: number;
  /** Up to a few hundred values, for the virtualised list. */
  sample: unknown[];
  /** The last `pending` of `sample` are this peer's own emissions not in the room yet (offline: its outbox). */
  pending: number;
}

export interface ClaimView {
  claimId: string;
  reactor: ReactorId;
  reaction: string;
  holder: PeerId;
  molecules: number;
  ageMs: number;
}

export interface ActivityItem {
  seq: number;
  at: number;
  peer: PeerId;
  reactor: string;
  reaction: string;
  ms: number;
  outcome: 'ok' | 'failed' | 'fenced' | 'retried';
  error?: string;
}

/** The room's history as this tab holds it (docs/protocol.md, "Histories meeting"). */
export interface HistoryInfo {
  /** The genesis id of the history this tab holds; null before it holds one. */
  genesis: string | null;
  /** The history the signaling server's room record names (advice only); null: none, or not told yet. */
  recorded: string | null;
  /** This tab holds no history, nobody reachable holds it, and it may not start one: it waits. */
  waiting: boolean;
  /** Linked peers holding another history of this room (nothing is exchanged with them). */
  others: { peer: PeerId; genesis: string }[];
  /**
   * This tab may start the room's history when it finds nobody holding one: it created the room, the server
   * has never seen the room, or the person chose "Start a new history".
   */
  mayStart: boolean;
}

export interface RoomView {
  room: string;
  self: PeerId;
  displayName: string;
  signaling: 'connected' | 'connecting' | 'offline';
  /** Plain-words problem to show, e.g. "Signaling server unreachable — running on local state." */
  problem: string | null;
  sequencer: PeerId | null;
  /** True while this tab serves as the room's sequencer (not while it is still recovering the log). */
  isSequencer: boolean;
  /**
   * The room's members that must come back before anything commits: a majority of the configuration is not
   * online (empty while it is). Changes made meanwhile wait in this tab's outbox.
   */
  waitingFor: PeerId[];
  epoch: number;
  peers: PeerView[];
  reactors: ReactorView[];
  molecules: MoleculeGroupView[];
  claims: ClaimView[];
  outbox: number;
  storage: { persisted: boolean; error: string | null };
  history: HistoryInfo;
}

export interface MachineClient {
  /** Throttled snapshots (at most ~10/s); the listener gets the latest immediately. */
  subscribe(listener: (view: RoomView) => void): () => void;
  /** Batched activity (reactions run anywhere in the room that this peer saw). */
  onActivity(listener: (items: ActivityItem[]) => void): () => void;
  emit(reactor: string, molecule: string, value?: unknown): Promise<void>;
  call<R = unknown>(reactor: string, molecule: string, value?: unknown, timeoutMs?: number): Promise<R>;
  load(reactor: string): Promise<void>;
  unload(reactor: string): Promise<void>;
  setDisplayName(name: string): Promise<void>;
  /**
   * Start a new history of this room (the explicit act for a tab that waits for one): it starts when no
   * reachable peer holds one. Rejects when this tab already holds a history.
   */
  startNewHistory(): Promise<void>;
  close(): Promise<void>;
}
