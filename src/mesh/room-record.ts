// The signaling server's record of a room, as peers use it: whether the server has seen the room and which
// history (genesis id) it has on record. Implemented by the signaling client (src/mesh); the app reads it to
// decide whether a peer that opens a room's link with no history of its own may start one (workers/
// room-history.ts). Advice, never trusted for safety: replicas refuse another history by name whatever the
// server says (docs/protocol.md, "Histories meeting").
import type { RoomRecordView } from '../protocol/signaling';

export type { RoomRecordView } from '../protocol/signaling';

export interface RoomRecordClient {
  /** The record as the server last told it; null before it did (not joined yet, no server, an older server). */
  readonly record: RoomRecordView | null;
  /** Fires on every join (with the record the server sent) and whenever the record's history changes. */
  onRecord(listener: (record: RoomRecordView) => void): () => void;
  /**
   * This peer holds history `genesis`: told to the server now and again after every rejoin. `started`: this
   * peer started it (it replaces the server's record; sent until the server's record names it).
   */
  reportHistory(genesis: string, started: boolean): void;
}
