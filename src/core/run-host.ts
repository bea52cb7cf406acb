// What the run executors (LocalRuns, DistributedRuns, RoomRun, StaticOutputs) ask of the machine's scheduler.
// The Scheduler implements it and builds its executors with itself as their host, so none of them imports
// the Scheduler and none of them writes its state: they ask for a run id, bump a counter, schedule a retry.
import type { Clock, Random } from './clock';
import type { DistributedPort } from './distributed-port';
import type { MachineEvents } from './events';
import type { PeerId } from './ids';
import type { Source } from './match';
import type { MoleculeHandle } from './molecule';
import type { ReactionRunner } from './runner';
import type { Site } from './site';
import type { ReactionRuntime, Slot } from './slot';
import type { Watch } from './soup-events';

export interface SchedulerParts {
  readonly peer: PeerId;
  readonly clock: Clock;
  readonly random: Random;
  readonly port: DistributedPort;
  readonly runner: ReactionRunner;
  readonly sliceSteps: number;
  readonly searchBudget: number;
}

/** Executes runs (local and distributed): LocalRuns, which hands distributed reactions on. */
export interface RunExecutor {
  start(r: ReactionRuntime, values: unknown[], attempt: number): void;
  attemptDistributed(r: ReactionRuntime): boolean;
  /** May distributed `r` claim although its bodies fill its concurrency (the claim ahead of a long body)? */
  claimsAhead(r: ReactionRuntime): boolean;
}

/** The machine's counters a run bumps (read back through `stats()`). */
export type RunCounter = 'reactions' | 'failures' | 'claimsRefused' | 'commitsFenced';

export interface RunHost {
  readonly parts: SchedulerParts;
  readonly watch: Watch;
  /** True once the machine is disposed: nothing new starts, late results are dropped. */
  readonly disposed: boolean;
  /** A fresh id for a run (events and traces tell runs apart by it). */
  nextRunId(): number;
  count(counter: RunCounter): void;
  /** Async work in flight (+1 when it starts, -1 when it ends): `idle()` waits for it. */
  busy(delta: number): void;
  drain(): void;
  schedule(r: ReactionRuntime): void;
  search(r: ReactionRuntime, sources: readonly Source[], offsets: readonly number[] | undefined, pinned?: number, filters?: readonly number[]): boolean;
  enqueueTrigger(slot: Slot): void;
  output(slot: Slot, value: unknown): void;
  slotOf(m: MoleculeHandle): Slot;
  siteById(id: string): Site | undefined;
  emitted(m: MoleculeHandle, value: unknown): void;
  fire<K extends keyof MachineEvents>(event: K, payload: MachineEvents[K]): void;
  error(error: Error, r?: ReactionRuntime): void;
}
