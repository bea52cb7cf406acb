// Which history of the room this tab holds, and whether it may start one: the app's side of named histories
// (docs/protocol.md, "Histories meeting"; issue 11: starting a new history of an existing room is an
// explicit, visible act).
//
// - "Create a room" (`creating`): this tab may start the room's history.
// - "Open a link": it only joins the history there is. It may start one on its own only when the signaling
//   server says it has never seen the room (no lease ever granted there, no history reported) — a new room
//   someone named by hand — and then only if no reachable peer holds a history (the room protocol's search).
//   A server that knows the room, or no answer from a server at all, means: wait for a peer holding it.
// - The person may choose "Start a new history" while the tab waits (`startNewHistory()`).
// The tab tells the server the history it holds (`started` when this tab started it in this session), so the
// server's record can tell the next fresh tab that the room has one. The record is advice, never trusted
// for safety: replicas refuse another history by name whatever it says.
import type { DistributedRoom } from '../src/dcm/room';
import type { RoomRecordClient, RoomRecordView } from '../src/mesh/room-record';
import type { HistoryInfo } from './contract/room-view';

export interface RoomHistoryOptions {
  readonly room: Pick<DistributedRoom, 'status' | 'startNewHistory' | 'on'>;
  /** The signaling server's room record; null without a server (then an opened link always waits). */
  readonly record: RoomRecordClient | null;
  /** This tab creates the room. */
  readonly creating: boolean;
  /** Something shown changed (the snapshot is due). */
  readonly onChange: () => void;
}

export class RoomHistory {
  readonly #o: RoomHistoryOptions;
  /** This tab may start the room's history (created it, the server never saw it, or the person chose to). */
  #mayStart: boolean;
  /** It held a history when it opened: whatever it reports was not started in this session. */
  readonly #heldAtOpen: boolean;
  #reported: string | null = null;
  #recorded: string | null = null;
  readonly #offs: (() => void)[] = [];

  constructor(options: RoomHistoryOptions) {
    this.#o = options;
    this.#heldAtOpen = options.room.status().genesis !== undefined;
    this.#mayStart = options.creating && !this.#heldAtOpen;
    if (this.#mayStart) options.room.startNewHistory();
    this.#offs.push(options.room.on('status', () => this.#report()));
    if (options.record) {
      this.#offs.push(options.record.onRecord((r) => this.#onRecord(r)));
      if (options.record.record) this.#onRecord(options.record.record);
    }
    this.#report();
  }

  /** The person chose to start a new history of the room (the tab waits for one). */
  startNewHistory(): void {
    if (this.#o.room.status().genesis !== undefined) throw new Error('this tab already holds a history of the room; a new one can only start in a tab without one');
    this.#allow();
  }

  view(): HistoryInfo {
    const s = this.#o.room.status();
    return {
      genesis: s.genesis ?? null,
      recorded: this.#recorded,
      waiting: s.waitingForHistory === true,
      others: (s.otherHistories ?? []).map((o) => ({ peer: o.peer, genesis: o.genesis })),
      mayStart: this.#mayStart && s.genesis === undefined,
    };
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  #onRecord(r: RoomRecordView): void {
    this.#recorded = r.genesis ?? null;
    // A room the server has never seen: a new room named by hand. Start its history if nobody holds one.
    if (!r.seen && this.#o.room.status().genesis === undefined) this.#allow();
    this.#o.onChange();
  }

  #allow(): void {
    if (!this.#mayStart) this.#o.room.startNewHistory();
    this.#mayStart = true;
    this.#o.onChange();
  }

  /** Tell the server the history we hold once we hold one (again after every rejoin: the record client does). */
  #report(): void {
    const genesis = this.#o.room.status().genesis;
    if (genesis === undefined || genesis === this.#reported) return;
    this.#reported = genesis;
    this.#o.record?.reportHistory(genesis, this.#mayStart && !this.#heldAtOpen);
  }
}
