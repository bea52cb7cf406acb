// The public shape of a running chemical machine (see docs/core-api.md). Types only: machine.ts implements it.
import type { Clock, Random } from './clock';
import type { DistributedPort } from './distributed-port';
import type { MachineEvents } from './events';
import type { PeerId, ReactorId } from './ids';
import type { AnyMolecule, CallOptions, Emitters, MoleculeKind } from './molecule';
import type { ReactorDefinition } from './reactor';
import type { ReactionRunner } from './runner';

export interface MachineOptions {
  readonly peerId?: PeerId;
  readonly clock?: Clock;
  readonly random?: Random;
  /** The room; default: a room of one (`createSinglePeerPort`). */
  readonly distributed?: DistributedPort;
  /** Where `pool: true` bodies run; default: inline on this thread. */
  readonly runner?: ReactionRunner;
  /**
   * Max scheduler steps in one synchronous drain before yielding to the event loop (so a reaction loop
   * such as `tick → tick` cannot freeze the page). Default 50,000.
   */
  readonly sliceSteps?: number;
  /** Max candidate combinations one guarded search may try before giving up (reported). Default 1,000,000. */
  readonly searchBudget?: number;
}

/** A molecule to put back into the soup when loading (persistence restores local molecules this way). */
export interface RestoredMolecule {
  readonly name: string;
  readonly value: unknown;
}

export interface LoadOptions {
  /**
   * Local molecules (and latched tokens) to restore instead of starting empty. Static molecules present in
   * the list are restored instead of emitted with their default; absent ones get their default.
   * Blocking and distributed molecules cannot be restored (callers and the room own them).
   */
  readonly restore?: readonly RestoredMolecule[];
}

/** One reactor loaded into one machine. */
export interface LoadedReactor<E = Record<string, AnyMolecule>> {
  readonly id: ReactorId;
  readonly name: string;
  readonly version: string;
  readonly definition: ReactorDefinition<E>;
  /** Typed emitters for what `define` returned: `emit.count(5)`, `await emit.read(undefined, { timeoutMs })`. */
  readonly emit: Emitters<E>;
  /** Untyped emission by molecule name (KOS `feed(key, value)`); throws for unknown or blocking names. */
  feed(name: string, value?: unknown): void;
  /** Untyped blocking call by molecule name. */
  call(name: string, arg?: unknown, options?: CallOptions): Promise<unknown>;
  readonly loaded: boolean;
  unload(): void;
}

/** One molecule name's current copies, as the UI and persistence see them. */
export interface MoleculeSnapshot {
  readonly reactor: ReactorId;
  readonly reactorName: string;
  readonly name: string;
  readonly kind: MoleculeKind;
  readonly distributed: boolean;
  readonly static: boolean;
  readonly latched: boolean;
  /** Copies present (latched: 1 once a value was emitted, else 0). */
  readonly count: number;
  /** Values of the copies, oldest first; past `limit`, the newest `limit` of them (blocking: the arguments; latched: the last value). */
  readonly values: readonly unknown[];
  /**
   * Distributed: how many of `count` are this peer's own emissions not in the room yet (the outbox, e.g. while
   * offline). They are the last `pending` of `values` (and of `count`); 0 otherwise.
   */
  readonly pending: number;
}

export interface MachineStats {
  /** Reaction runs started (including retries). */
  readonly reactions: number;
  readonly failures: number;
  /** Candidate combinations tried by guarded / distributed searches. */
  readonly searchSteps: number;
  /** Distributed claims refused (taken by another peer, room unreachable) and commits fenced. */
  readonly claimsRefused: number;
  readonly commitsFenced: number;
}

export interface Machine {
  readonly peer: PeerId;
  readonly port: DistributedPort;
  /** Load a reactor: binds its molecules here, emits its static molecules, hosts it in the room. */
  load<E>(definition: ReactorDefinition<E>, options?: LoadOptions): LoadedReactor<E>;
  /** Unload: pending blocking callers are rejected, in-flight runs' outputs are dropped, claims released. */
  unload(id: ReactorId): void;
  get(id: ReactorId): LoadedReactor | undefined;
  reactors(): LoadedReactor[];
  on<K extends keyof MachineEvents>(event: K, listener: (payload: MachineEvents[K]) => void): () => void;
  molecules(options?: { readonly limit?: number; readonly reactor?: ReactorId }): MoleculeSnapshot[];
  /** Resolves when nothing is queued, running, or waiting on a retry timer (distributed waits excluded). */
  idle(): Promise<void>;
  /**
   * Durable emission: resolves once every distributed molecule this machine emitted so far (feeds, emitters,
   * blocking calls, and outputs of local reactions that already ran) is durable in this peer's store — from
   * then on it is never lost, whatever crashes: it is resent until the room applies it, exactly once. `emit`
   * itself never waits; await this when it matters (before telling a user "saved", before closing).
   * Rejects when a store write failed (the room then stops itself and says so). Local molecules live in
   * memory only; with no room it resolves at once.
   */
  flush(): Promise<void>;
  stats(): MachineStats;
  /** Unload everything and stop; the machine cannot be used afterwards. */
  dispose(): void;
}
