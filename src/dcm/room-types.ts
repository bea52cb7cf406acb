// The room's public types: what createDistributedRoom takes and returns.
import type { Clock, Random } from '../core/clock';
import type { DistributedMolecule, DistributedPort, ReactorInfo } from '../core/distributed-port';
import type { PeerId, ReactorId } from '../core/ids';
import type { Transport } from '../mesh/transport';
import type { Store } from '../store/store';
import type { ProtocolFaults, RoomTimings } from './context';
import type { Elector } from './elector';
import type { ClaimMode } from './requester';
import type { DistributedRoomEvents, RoomStatusView } from './room-status';

export interface DistributedRoomOptions {
  readonly self: PeerId;
  readonly transport: Transport;
  readonly elector: Elector;
  readonly store: Store;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly timings?: Partial<RoomTimings>;
  /** 'optimistic' (default): bodies run while the claim travels (fewest round trips); 'confirmed': wait for the grant. */
  readonly claimMode?: ClaimMode;
  /**
   * Whether this peer may start the room's history when it finds nobody holding one (docs/protocol.md,
   * "Histories meeting"). true (default here): the room's creator. false: it only ever joins an existing
   * history and waits for a peer holding it (`status().waitingForHistory`) until `startNewHistory()`.
   */
  readonly newHistory?: boolean;
  /** Deliberately broken protocol variants, for the mutation test only. */
  readonly faults?: ProtocolFaults;
}

/** The room as the machine sees it (DistributedPort) plus lifecycle, status and events. */
export interface DistributedRoom extends DistributedPort {
  /** Load the replica and outbox from the store, start listening, electing and ticking. */
  start(): Promise<void>;
  /** Leave cleanly: a sequencer first hands its vote back, then everyone is told goodbye. */
  stop(): Promise<void>;
  status(): RoomStatusView;
  /** Allow this peer to start a new history of the room if it finds nobody holding one (the user's explicit act). */
  startNewHistory(): void;
  /**
   * Resolves once every emission made so far (emit, call) is durable in this peer's store: an emission whose
   * flush resolved is never lost — it is resent to every sequencer, across crashes, until the room applies
   * it once. Rejects when a store write failed (the replica then stops: status().stopped says why).
   */
  flush(): Promise<void>;
  /** Committed copies of (reactor, name) in this replica, claimed or not (for views and tests). */
  peek(reactor: ReactorId, name: string): DistributedMolecule[];
  /** Reactors in the room and who hosts them (catalog sync). */
  catalog(): { info: ReactorInfo; hostedBy: PeerId[] }[];
  on<K extends keyof DistributedRoomEvents>(event: K, listener: (payload: DistributedRoomEvents[K]) => void): () => void;
}
