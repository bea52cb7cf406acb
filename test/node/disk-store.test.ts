// The disk store (classic-level) passes the same acceptance suite as the memory and IndexedDB stores, and
// refuses a second process on one folder with a clear error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDiskDatabase, openDiskStore } from '../../src/node/disk-store';
import { runStoreTests } from '../../src/store/acceptance';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-disk-'));

runStoreTests(
  'disk (classic-level)',
  () => {
    const dir = tmp();
    const db = createDiskDatabase(dir);
    return { open: () => db.connect(), destroy: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
  { describe, it },
);

describe('disk store', () => {
  it('a second database on a folder in use is refused with a clear error, and works once the first closes', async () => {
    const dir = tmp();
    const first = await openDiskStore(dir);
    await first.save('k', 1);
    await expect(openDiskStore(dir)).rejects.toThrow(/in use by another process/);
    await first.close();
    const second = await openDiskStore(dir);
    expect(await second.load('k')).toBe(1);
    await second.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('orders keys by code unit, astral characters included', async () => {
    const dir = tmp();
    const s = await openDiskStore(dir);
    const keys = ['p/\u{1F600}', 'p/\uffff', 'p/\ue000', 'p/a'];
    await s.batch(keys.map((key) => ({ type: 'put', key, value: key })));
    expect((await s.range('p/')).map(([k]) => k)).toEqual([...keys].sort());
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
