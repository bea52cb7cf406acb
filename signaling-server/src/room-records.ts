// The durable room record: per room (by the hash clients send), the highest lease epoch ever granted. A
// restarted server, or a room that emptied and filled again, grants strictly above it, so epochs never repeat
// even for peers that start fresh and report no minEpoch.
//
// On disk (--data <dir>) it is an append-only JSON-lines file, one `{"r":room,"e":epoch}` per grant, written
// and fsync'd before the grant is announced. Why not an embedded database: the record is one integer per room,
// written only when a room's leader changes (rare), read only when a room is first seen, and "the highest
// value wins" makes every line self-contained — a torn last line after a crash is simply skipped (its grant was
// never announced, since the announcement waits for the fsync). On open the file is compacted to one line per
// room through a temp file, fsync and an atomic rename; a lock file keeps a second process out of the folder
// (two processes granting from one record could repeat an epoch).
import fs from 'node:fs';
import path from 'node:path';

export interface RoomRecords {
  /** The highest epoch ever granted in `room` (0 when never). */
  floor(room: string): number;
  /** A grant of `epoch` in `room`; durable when this returns (before anyone is told of the grant). */
  granted(room: string, epoch: number): void;
  close(): void;
}

/** Records that outlive a room's emptying but not the process (the default without --data). */
export function memoryRoomRecords(): RoomRecords {
  const floors = new Map<string, number>();
  return {
    floor: (room) => floors.get(room) ?? 0,
    granted(room, epoch) {
      if (epoch > (floors.get(room) ?? 0)) floors.set(room, epoch);
    },
    close: () => undefined,
  };
}

export class DataDirError extends Error {}

const FILE = 'rooms.jsonl';
const LOCK = 'kinetic-signal.lock';

function parseLines(text: string, into: Map<string, number>): number {
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const rec = JSON.parse(line) as { r?: unknown; e?: unknown };
      if (typeof rec.r !== 'string' || typeof rec.e !== 'number' || !Number.isSafeInteger(rec.e) || rec.e < 0)
        throw new Error('shape');
      if (rec.e > (into.get(rec.r) ?? 0)) into.set(rec.r, rec.e);
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

export function fileRoomRecords(dir: string, opts: { compactAfterLines?: number } = {}): FileRoomRecords {
  fs.mkdirSync(dir, { recursive: true });
  const lockFile = lock(dir);
  const file = path.join(dir, FILE);
  const floors = new Map<string, number>();
  let skipped = 0;
  try {
    skipped = parseLines(fs.readFileSync(file, 'utf8'), floors);
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
    const body = [...floors].map(([r, e]) => JSON.stringify({ r, e }) + '\n').join('');
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
    lines = floors.size;
  };
  compact();
  const compactAfter = opts.compactAfterLines ?? 10_000;
  return {
    skippedOnOpen: skipped,
    floor: (room) => floors.get(room) ?? 0,
    granted(room, epoch) {
      if (epoch <= (floors.get(room) ?? 0)) return;
      floors.set(room, epoch);
      fs.writeSync(fd, JSON.stringify({ r: room, e: epoch }) + '\n');
      fs.fsyncSync(fd);
      if (++lines > compactAfter + floors.size) compact();
    },
    close() {
      if (fd >= 0) fs.closeSync(fd);
      fd = -1;
      fs.rmSync(lockFile, { force: true });
    },
  };
}
