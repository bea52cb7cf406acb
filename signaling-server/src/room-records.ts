// The durable room record: per room (by the hash clients send), the highest lease epoch ever granted, and the
// room's history (the genesis id peers report). A restarted server, or a room that emptied and filled again,
// grants strictly above the epoch floor, so epochs never repeat even for peers that start fresh and report no
// minEpoch. The history tells a peer that opens the room's link with no history of its own that the room has
// one (so it waits for its holders instead of starting another): advice only, see docs/protocol.md.
//
// On disk (--data <dir>) it is an append-only JSON-lines file: one `{"r":room,"e":epoch}` per grant, written
// and fsync'd before the grant is announced, and one `{"r":room,"g":genesis}` per history change. Why not an
// embedded database: the record is one integer and one short name per room, written only when a room's leader
// or history changes (rare), read only when a room is first seen; "the highest epoch wins" and "the last
// history wins" make every line self-contained — a torn last line after a crash is simply skipped (its grant
// was never announced, since the announcement waits for the fsync). On open the file is compacted to one line
// per room through a temp file, fsync and an atomic rename; a lock file keeps a second process out of the
// folder (two processes granting from one record could repeat an epoch).
//
// Bounded (room-record-table.ts): at most `maxRecords` rooms (default 100,000), the least recently seen room
// that is not open forgotten first; compaction rewrites the file from what is kept, least recently seen first
// (so a restart keeps the same order), once the appended lines outnumber the kept rooms by `compactAfterLines`.
// So the file holds at most maxRecords + compactAfterLines lines.
import fs from 'node:fs';
import path from 'node:path';
import { RoomRecordTable, type RecordTableOptions } from './room-record-table';

/** Rooms whose records are kept (each about 100–200 bytes in memory, one line in the --data file). */
export const DEFAULT_MAX_ROOM_RECORDS = 100_000;

export interface RoomRecordsOptions {
  /** Rooms kept (default DEFAULT_MAX_ROOM_RECORDS). */
  readonly maxRecords?: number;
  /** Whether a room is open on this server right now: an open room's record is never forgotten. */
  readonly isOpen?: (room: string) => boolean;
}

function table(opts: RoomRecordsOptions): RoomRecordTable {
  const o: RecordTableOptions = { maxRecords: opts.maxRecords ?? DEFAULT_MAX_ROOM_RECORDS, isOpen: opts.isOpen ?? (() => false) };
  return new RoomRecordTable(o);
}

export interface RoomRecords {
  /** The highest epoch ever granted in `room` (0 when never). */
  floor(room: string): number;
  /** A grant of `epoch` in `room`; durable when this returns (before anyone is told of the grant). */
  granted(room: string, epoch: number): void;
  /** The room history peers reported (its genesis id), null when none did. */
  genesis(room: string): string | null;
  /**
   * A peer holds history `genesis`. It becomes the record when the room has none, or when `started` (the peer
   * started it: created the room or chose a new history). Durable when this returns; true when it changed.
   */
  history(room: string, genesis: string, started: boolean): boolean;
  /** Rooms kept, and rooms forgotten so far to stay within the bound. */
  stats(): { records: number; evicted: number };
  close(): void;
}

/** What a joining peer is told of the record: whether the room was ever seen here, and its history. */
export function recordView(records: RoomRecords, room: string): { seen: boolean; genesis?: string } {
  const genesis = records.genesis(room);
  return { seen: genesis !== null || records.floor(room) > 0, ...(genesis !== null ? { genesis } : {}) };
}

/** The rule of `history()`: whether a report replaces the record `current`. */
export const replacesHistory = (current: string | null, genesis: string, started: boolean): boolean =>
  current !== genesis && (current === null || started);

/** Records that outlive a room's emptying but not the process (the default without --data). */
export function memoryRoomRecords(opts: RoomRecordsOptions = {}): RoomRecords {
  const rows = table(opts);
  return {
    floor: (room) => rows.get(room)?.e ?? 0,
    granted(room, epoch) {
      if (epoch > (rows.get(room)?.e ?? 0)) rows.upsert(room).e = epoch;
    },
    genesis: (room) => rows.get(room)?.g ?? null,
    history(room, genesis, started) {
      if (!replacesHistory(rows.get(room)?.g ?? null, genesis, started)) return false;
      rows.upsert(room).g = genesis;
      return true;
    },
    stats: () => ({ records: rows.size, evicted: rows.evicted }),
    close: () => undefined,
  };
}

export class DataDirError extends Error {}

const FILE = 'rooms.jsonl';
const LOCK = 'kinetic-signal.lock';

/** A genesis id as the wire allows it (protocol/signaling Token). */
export const isGenesis = (g: unknown): g is string => typeof g === 'string' && /^[A-Za-z0-9_.:-]{1,128}$/.test(g);

function parseLines(text: string, rows: RoomRecordTable): number {
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const rec = JSON.parse(line) as { r?: unknown; e?: unknown; g?: unknown };
      const epoch = rec.e === undefined || (typeof rec.e === 'number' && Number.isSafeInteger(rec.e) && rec.e >= 0);
      const genesis = rec.g === undefined || isGenesis(rec.g);
      if (typeof rec.r !== 'string' || !epoch || !genesis || (rec.e === undefined && rec.g === undefined))
        throw new Error('shape');
      const row = rows.upsert(rec.r);
      if (typeof rec.e === 'number' && rec.e > (row.e ?? 0)) row.e = rec.e;
      if (typeof rec.g === 'string') row.g = rec.g;
    } catch {
      skipped++;
    }
  }
  return skipped;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process, told apart from an earlier one with the same pid (a container's server is always pid 1). */
function processTag(): { pid: number; started: number } {
  return { pid: process.pid, started: Math.round(Date.now() - process.uptime() * 1000) };
}

/** Take the folder's lock, or fail with one line naming the process that holds it. */
function lock(dir: string): string {
  const file = path.join(dir, LOCK);
  const me = processTag();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: unknown; started?: unknown } = {};
      try {
        holder = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        // unreadable: left half-written by a crash
      }
      const pid = typeof holder.pid === 'number' ? holder.pid : 0;
      const sameProcess =
        pid === me.pid && typeof holder.started === 'number' && Math.abs(holder.started - me.started) < 2000;
      if (sameProcess || (pid > 0 && pid !== me.pid && pidAlive(pid))) {
        throw new DataDirError(
          `data folder ${dir} is in use by ${sameProcess ? 'this process' : `process ${pid}`}`,
        );
      }
      fs.rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  throw new DataDirError(`could not lock data folder ${dir}`);
}

export interface FileRoomRecords extends RoomRecords {
  /** Lines of the file that could not be read on open (a torn tail after a crash). */
  readonly skippedOnOpen: number;
}

export function fileRoomRecords(dir: string, opts: RoomRecordsOptions & { compactAfterLines?: number } = {}): FileRoomRecords {
  fs.mkdirSync(dir, { recursive: true });
  const lockFile = lock(dir);
  const file = path.join(dir, FILE);
  const rows = table(opts);
  let skipped = 0;
  try {
    skipped = parseLines(fs.readFileSync(file, 'utf8'), rows);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      fs.rmSync(lockFile, { force: true });
      throw err;
    }
  }
  let fd = -1;
  let lines = 0;
  const compact = (): void => {
    const tmp = `${file}.tmp`;
    let body = '';
    for (const [r, { e, g }] of rows.entries()) body += JSON.stringify({ r, ...(e !== undefined ? { e } : {}), ...(g !== undefined ? { g } : {}) }) + '\n';
    const out = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(out, body);
      fs.fsyncSync(out);
    } finally {
      fs.closeSync(out);
    }
    fs.renameSync(tmp, file);
    const d = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(d);
    } finally {
      fs.closeSync(d);
    }
    if (fd >= 0) fs.closeSync(fd);
    fd = fs.openSync(file, 'a');
    lines = rows.size;
  };
  compact();
  const compactAfter = opts.compactAfterLines ?? 10_000;
  const append = (rec: { r: string; e?: number; g?: string }): void => {
    fs.writeSync(fd, JSON.stringify(rec) + '\n');
    fs.fsyncSync(fd);
    if (++lines > compactAfter + rows.size) compact();
  };
  return {
    skippedOnOpen: skipped,
    floor: (room) => rows.get(room)?.e ?? 0,
    granted(room, epoch) {
      if (epoch <= (rows.get(room)?.e ?? 0)) return;
      rows.upsert(room).e = epoch;
      append({ r: room, e: epoch });
    },
    genesis: (room) => rows.get(room)?.g ?? null,
    history(room, genesis, started) {
      if (!replacesHistory(rows.get(room)?.g ?? null, genesis, started)) return false;
      rows.upsert(room).g = genesis;
      append({ r: room, g: genesis });
      return true;
    },
    stats: () => ({ records: rows.size, evicted: rows.evicted }),
    close() {
      if (fd >= 0) fs.closeSync(fd);
      fd = -1;
      fs.rmSync(lockFile, { force: true });
    },
  };
}
