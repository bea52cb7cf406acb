// The seam between the local chemical machine (src/core) and distributed molecules (src/dcm).
// Core does the matching (local bags + the replica's available distributed copies, guards, patterns);
// the port owns everything about the room: ordering, claims, fencing, the outbox, reply routing.
// src/core ships a single-peer implementation (a room of one); src/dcm ships the real one.
import type { ClaimId, Epoch, MoleculeId, PeerId, ReactorId } from './ids';

/** What a reactor declares, as other peers see it (KOS `sync`: state machines, never code). */
export interface ReactorInfo {
  readonly id: ReactorId;
  readonly name: string;
  readonly version: string;
  readonly molecules: readonly MoleculeInfo[];
}

export interface MoleculeInfo {
  readonly name: string;
  readonly kind: 'molecule' | 'blocking' | 'latched';
  readonly distributed: boolean;
  readonly static: boolean;
}

/** One copy of a distributed molecule in the room. */
export interface DistributedMolecule {
  readonly id: MoleculeId;
  readonly reactor: ReactorId;
  readonly name: string;
  readonly value: unknown;
}

/** A granted claim: these molecules are reserved for one reaction run until commit, release or expiry. */
export interface ClaimGrant {
  readonly claimId: ClaimId;
  readonly reactor: ReactorId;
  readonly reaction: string;
  readonly ids: readonly MoleculeId[];
  /** Sequencer term the grant was made in; a commit from an older term is fenced. */
  readonly epoch: Epoch;
}

/** Everything a distributed reaction produced; applied atomically with the consumption of its inputs, or not at all. */
export type DistributedOutput =
  | { readonly kind: 'molecule'; readonly reactor: ReactorId; readonly name: string; readonly value: unknown }
  | { readonly kind: 'reply'; readonly to: PeerId; readonly callId: string; readonly value: unknown };

/** Value carried by a distributed blocking molecule: the argument plus where the reply goes. */
export interface DistributedCall {
  readonly arg: unknown;
  readonly replyTo: PeerId;
  readonly callId: string;
}

export interface DistributedPort {
  readonly self: PeerId;
  /** This peer hosts the reactor: it may run its reactions. Called by Machine.load. */
  host(info: ReactorInfo): void;
  /** Called by Machine.unload; claims in flight for it are released. */
  unhost(reactor: ReactorId): void;
  /** Put a new molecule into the room. Never throws for lack of network: queued in the outbox, delivered once. */
  emit(reactor: ReactorId, name: string, value: unknown): void;
  /**
   * Resolves once every emission made so far (emit, call) is durable in this peer's store: it is then never
   * lost. Rejects when a store write failed. Optional: a port without a store has nothing to wait for.
   */
  flush?(): Promise<void>;
  /** Emit a distributed blocking molecule; resolves with the reply from whichever peer ran the reaction. */
  call(reactor: ReactorId, name: string, arg: unknown): Promise<unknown>;
  /**
   * Copies this peer's replica sees as available: committed, not consumed, not claimed. `need`: how many
   * copies of the name one run takes; a port that holds fresh copies back for their preferred host (affinity)
   * offers them anyway when fewer than `need` others are available (an idle peer steals at once).
   * `localDemand`: the run also takes local molecules this peer holds (a blocking call made here, a local
   * token), so no other peer can serve it — a port must not hold copies back from it for good.
   */
  available(reactor: ReactorId, name: string, need?: number, localDemand?: boolean): Iterable<DistributedMolecule>;
  /**
   * Every copy this peer's replica holds (committed or in the log tail, not consumed), for introspection —
   * the soup the UI shows. Unlike `available` it ignores claims in flight and affinity hold-backs, which are
   * matching policy, not state. Optional: without it, `available` is shown.
   */
  copies?(reactor: ReactorId, name: string): Iterable<DistributedMolecule>;
  /**
   * This peer's own emissions of (reactor, name) not in the room yet (its outbox: offline, or on their way to
   * the sequencer), for views that show them as pending. They are delivered exactly once when the room is
   * reachable. Optional: without it, views show a copy only once the room has it.
   */
  pending?(reactor: ReactorId, name: string): Iterable<DistributedMolecule>;
  /** Claim all ids atomically for one reaction run; null when any of them was taken or the room is unreachable. */
  claim(reactor: ReactorId, reaction: string, ids: readonly MoleculeId[]): Promise<ClaimGrant | null>;
  /**
   * A grant may come before the authority's answer (optimistic claims): resolves true once the claim is
   * granted, false once it is refused or ended without an answer. Optional: without it a grant is final.
   */
  decided?(claim: ClaimGrant): Promise<boolean>;
  /**
   * Consume the claimed inputs and add the outputs in one atomic step. true: acknowledged (never undone).
   * false: fenced (claim expired or the sequencer changed); the outputs are discarded and must not be applied.
   */
  commit(claim: ClaimGrant, outputs: readonly DistributedOutput[]): Promise<boolean>;
  /** Return the inputs to the room (the body threw, the reaction was unloaded). */
  release(claim: ClaimGrant): void;
  /** Notified when copies of (reactor, name) may have become available: emission, release, expiry, replica catch-up. */
  subscribe(listener: (reactor: ReactorId, name: string) => void): () => void;
}
