// What a room tells the UI and tests about itself: a status snapshot (emitted when it changes) and events.
import type { Emitter } from '../core/emitter';
import type { PeerId, ReactorId } from '../core/ids';
import type { ReactorInfo } from '../core/distributed-port';
import type { RoomHistoryEvent } from './context';
import type { HistoryView } from './genesis';
import type { AppliedEntry } from './replica';

/** With the history fields (genesis.ts): genesis, otherHistories, waitingForHistory. */
export interface RoomStatusView extends HistoryView {
  readonly self: PeerId;
  /** 'sequencer' while serving, 'recovering' while reading the previous configuration, else 'replica'. */
  readonly role: 'sequencer' | 'recovering' | 'replica';
  readonly sequencer: PeerId | null;
  readonly epoch: number;
  readonly commitIndex: number;
  readonly lastIndex: number;
  /** Voting members of the configuration in effect. */
  readonly members: readonly PeerId[];
  /** Distributed molecules in the committed replica. */
  readonly molecules: number;
  /** Emissions not yet applied by the room (offline or in flight). */
  readonly outbox: number;
  /** Claims this peer holds for reactions in flight. */
  readonly claimsInFlight: number;
  /** Claims this peer granted as sequencer. */
  readonly claimsGranted: number;
  /** Inbound messages dropped because they failed validation or broke the protocol (forged ballot, borrowed source). */
  readonly invalidMessages: number;
  /** Protocol messages dropped unread because their sender was too far ahead of us (inbound.ts); absent while 0. */
  readonly inboundDropped?: number;
  /**
   * Set when the replica stopped itself (fail-stop: a store write failed) — the notice to show the user, for
   * example "store write failed: QuotaExceededError … (reload to continue)". Absent while running.
   */
  readonly stopped?: string;
}

// A type alias (not an interface) so it satisfies Emitter's Record<string, unknown> constraint.
export type DistributedRoomEvents = {
  status: RoomStatusView;
  catalog: { info: ReactorInfo; hostedBy: PeerId[] }[];
  /** A committed log entry was applied to this replica. */
  applied: AppliedEntry;
  /** Protocol facts in order (the simulation's history, the UI's activity). */
  history: RoomHistoryEvent;
  'invalid-message': { from: PeerId; count: number };
  /** A failure: a store write refused (quota, I/O) stops the replica (status().stopped says so). */
  error: Error;
};

export type { ReactorId };

/** Emits 'status' when the view changed since the last emission (checked on every tick). */
export class RoomStatus {
  readonly #events: Emitter<DistributedRoomEvents>;
  readonly #view: () => RoomStatusView;
  #last = '';

  constructor(events: Emitter<DistributedRoomEvents>, view: () => RoomStatusView) {
    this.#events = events;
    this.#view = view;
  }

  view(): RoomStatusView {
    return this.#view();
  }

  maybeEmit(): void {
    if (!this.#events.has('status')) return;
    const v = this.#view();
    const key = JSON.stringify(v);
    if (key === this.#last) return;
    this.#last = key;
    this.#events.emit('status', v);
  }
}
