// Introspection events of a machine (`machine.on(name, listener)`). The UI's activity feed, persistence
// (which molecules entered or left the soup) and the tests' event logs are all built from these.
import type { PeerId, ReactorId } from './ids';

interface ReactorEvent {
  readonly peer: PeerId;
  readonly reactor: ReactorId;
  readonly reactorName: string;
}

/** A molecule entered the soup of this peer (local), or was sent into the room (distributed). */
export interface EmittedEvent extends ReactorEvent {
  readonly molecule: string;
  /** The value; for a blocking molecule, its argument. */
  readonly value: unknown;
  readonly distributed: boolean;
}

/** A molecule left the soup: a reaction run took it (it is gone once that run is not returned or retried). */
export interface ConsumedEvent extends ReactorEvent {
  readonly molecule: string;
  readonly value: unknown;
  readonly distributed: boolean;
  readonly reaction: string;
  readonly runId: number;
}

export interface ReactionStartedEvent extends ReactorEvent {
  readonly reaction: string;
  readonly runId: number;
  /** Input values in declaration order (blocking inputs: the argument). */
  readonly inputs: readonly unknown[];
  /** 1 for the first run, 2.. for retries of the same inputs. */
  readonly attempt: number;
}

export interface ReactionFinishedEvent extends ReactorEvent {
  readonly reaction: string;
  readonly runId: number;
  readonly ms: number;
  /** `fenced`: a distributed run whose commit was refused; its outputs were discarded, its local inputs returned. */
  readonly outcome: 'ok' | 'fenced';
}

export interface ReactionFailedEvent extends ReactorEvent {
  readonly reaction: string;
  readonly runId: number;
  readonly ms: number;
  readonly error: Error;
  /** The inputs are kept for another attempt (`retry`), or returned to the room (distributed), not dropped. */
  readonly retried: boolean;
}

export interface ReactorLoadedEvent extends ReactorEvent {
  readonly version: string;
}

export type ReactorUnloadedEvent = ReactorEvent;

/** A background problem that is nobody's direct call: a body that forgot to reply, a static not re-emitted. */
export interface MachineErrorEvent {
  readonly peer: PeerId;
  readonly error: Error;
  readonly reactor?: ReactorId;
  readonly reaction?: string;
}

export type MachineEvents = {
  emitted: EmittedEvent;
  consumed: ConsumedEvent;
  'reaction-started': ReactionStartedEvent;
  'reaction-finished': ReactionFinishedEvent;
  'reaction-failed': ReactionFailedEvent;
  'reactor-loaded': ReactorLoadedEvent;
  'reactor-unloaded': ReactorUnloadedEvent;
  error: MachineErrorEvent;
};
