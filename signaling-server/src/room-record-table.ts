// The room records in memory, bounded: at most `maxRecords` rooms, kept in order of when each was last seen
// (read or written), so the least recently seen room that is not open right now is forgotten first when a new
// room needs a place. Without a bound, a client opening endless room names (within the join rate) grew the
// server's memory and its --data file for as long as it ran.
//
// Forgetting is safe: the record is advice (docs/self-hosting.md, "What the server keeps"). Safety rests on the
// peers' own durable state — their ballots and their history's genesis id — never on the server's memory.

/** One room's record: the highest epoch granted there, the history peers reported. */
export interface RoomRow {
  e?: number;
  g?: string;
}

export interface RecordTableOptions {
  /** Rooms kept; past it the least recently seen room that is not open is forgotten. */
  readonly maxRecords: number;
  /** Whether a room has members or a lease holder on this server right now (never forgotten then). */
  readonly isOpen: (room: string) => boolean;
}

export class RoomRecordTable {
  /** Insertion order is recency: a room seen again moves to the end. */
  readonly #rows = new Map<string, RoomRow>();
  readonly #o: RecordTableOptions;
  /** Rooms forgotten to keep within maxRecords (for stats and tests). */
  evicted = 0;

  constructor(options: RecordTableOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#rows.size;
  }

  /** The room's record (seen now), or undefined when none is kept. */
  get(room: string): RoomRow | undefined {
    const row = this.#rows.get(room);
    if (row) {
      this.#rows.delete(room);
      this.#rows.set(room, row);
    }
    return row;
  }

  /** The room's record, created if needed (seen now); making a place may forget another room. */
  upsert(room: string): RoomRow {
    const known = this.get(room);
    if (known) return known;
    const row: RoomRow = {};
    this.#rows.set(room, row);
    this.#evict();
    return row;
  }

  /** Every kept record, least recently seen first. */
  entries(): IterableIterator<[string, RoomRow]> {
    return this.#rows.entries();
  }

  /**
   * Forget the least recently seen rooms that are not open until within the bound. An open room met on the way
   * counts as seen now (moves to the end), so each is stepped over once per pass and a pass ends after at
   * most one look at every room: if every room is open (never more than the connections), the table may
   * exceed its bound until some close.
   */
  #evict(): void {
    let looks = this.#rows.size;
    while (this.#rows.size > this.#o.maxRecords && looks-- > 0) {
      const oldest = this.#rows.keys().next().value as string;
      const row = this.#rows.get(oldest) as RoomRow;
      this.#rows.delete(oldest);
      if (this.#o.isOpen(oldest)) this.#rows.set(oldest, row);
      else this.evicted++;
    }
  }
}
