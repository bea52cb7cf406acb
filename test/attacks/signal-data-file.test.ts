// The server's durable room record (--data) found damaged at start: garbage bytes, a torn line, a record
// that is not a file, a stale lock. The server starts when it can (keeping every floor it can read) and
// otherwise stops with one line, never a stack trace.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileRoomRecords } from '../../signaling-server/src/room-records';

const CLI = path.resolve(__dirname, '../../signaling-server/src/cli.ts');
const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-data-attack-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('attack: a damaged --data folder at start', () => {
  it('garbage and torn lines around good ones: every readable floor survives, epochs never go back', () => {
    const dir = tmp();
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0x0a, 0xc3, 0x28]);
    fs.writeFileSync(
      path.join(dir, 'rooms.jsonl'),
      Buffer.concat([
        Buffer.from('{"r":"a","e":5}\n'),
        garbage,
        Buffer.from('\n{"r":"a","e":"9"}\n{"r":"b","e":-3}\n{"r":"c","e":1e300}\n{"__proto__":{"x":1},"r":"b","e":4}\n{"r":"a","e":12}\n{"r":"a","e":7}\n{"r":"b","e":'),
      ]),
    );
    const records = fileRoomRecords(dir);
    try {
      expect(records.floor('a')).toBe(12);
      expect(records.floor('b')).toBe(4);
      expect(records.floor('c')).toBe(0);
      expect(records.skippedOnOpen).toBeGreaterThanOrEqual(4);
      expect(({} as Record<string, unknown>)['x']).toBeUndefined();
      records.granted('a', 13);
    } finally {
      records.close();
    }
    // Compacted on the next open: the floors read before are all still there.
    const again = fileRoomRecords(dir);
    try {
      expect([again.floor('a'), again.floor('b')]).toEqual([13, 4]);
    } finally {
      again.close();
    }
  });

  it('a record that is not a file, or a folder that cannot be used, stops the bin with one line', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'rooms.jsonl'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--data', dir], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kinetic-signal: /);
    const file = path.join(tmp(), 'plain-file');
    fs.writeFileSync(file, 'not a folder');
    const f = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--data', file], { encoding: 'utf8', timeout: 30_000 });
    expect(f.status).not.toBe(0);
    expect(f.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('a lock file left half-written by a crash does not keep the server out', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'kinetic-signal.lock'), '{"pid":');
    const records = fileRoomRecords(dir);
    records.granted('r', 1);
    records.close();
    expect(fs.readFileSync(path.join(dir, 'rooms.jsonl'), 'utf8')).toContain('"r":"r"');
  });
});
