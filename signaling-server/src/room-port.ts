// What a connection needs from its room, whether the room lives in this process (SignalRoom) or is shared with
// other instances through Redis (RedisRoom): the members it can address, and the room's operations.
import type { PeerLeftReason, ServerFrameBody } from 'kinetic-mesh/protocol';
import type { LeaseSnapshot } from './room-lease';

/** What a room needs from a connection: an address to send frames to. */
export interface Member {
  readonly peer: string;
  readonly instance: string;
  send(frame: ServerFrameBody): void;
  /** A relay frame from `from` (JSON text, or the raw bytes of a raw relay frame). */
  relay(from: string, data: string | Uint8Array): void;
  /** Drop this member's socket without a leave (its page instance reconnected on a new socket). */
  kick(): void;
  /** The room refused a join it had accepted provisionally (shared rooms decide asynchronously). */
  refused?(): void;
}

export interface RoomPort {
  readonly id: string;
  /** Everyone in the room this instance can address (on other instances too, for shared rooms). */
  readonly members: ReadonlyMap<string, Member>;
  join(member: Member): void;
  /** The same page instance is back on a new socket (its old member was kicked): no leave/join flap. */
  rejoin(member: Member): void;
  leave(member: Member, reason: PeerLeftReason): void;
  requestLease(member: Member, minEpoch: number): void;
  releaseLease(member: Member): void;
  /** `member` holds room history `genesis` (`started`: it started it); see RoomRecords.history. */
  reportHistory(member: Member, genesis: string, started: boolean): void;
  leaseSnapshot(): LeaseSnapshot;
}

export interface RoomDirectory {
  /**
   * The room with this id, opened if needed. `tag`: a keyed room's short name tag, kept from the opening join
   * for the "open under another key" hint (directories that cannot group rooms by tag ignore it).
   */
  get(id: string, tag?: string): RoomPort;
  /** Forget the room if nobody is in it and nobody leads it. */
  collect(id: string): void;
  /** Whether the room is open on this instance (members or a lease holder here): its record is kept. */
  isOpen(id: string): boolean;
  readonly size: number;
  dispose(): void;
}
