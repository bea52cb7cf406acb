// The log in the store as runs of entries (log-runs.ts): the layout, every path that rewrites it, and what a
// restart reads back, checked against a plain model (the entries the log holds after each step).
import { describe, expect, it } from 'vitest';
import { asEpoch, asPeerId } from '../../src/core/ids';
import type { Entry } from '../../src/dcm/entries';
import { logKey, MAX_RUN, readRuns, StoredRuns } from '../../src/dcm/log-runs';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory';
import type { StoreOp } from '../../src/store/store';

const entry = (epoch: number, n: number): Entry => ({ type: 'config', epoch: asEpoch(epoch), members: [asPeerId(`p${n}`)] });
const range = (from: number, to: number, epoch = 1): Entry[] => Array.from({ length: to - from + 1 }, (_, k) => entry(epoch, from + k));

/** A store that the runs write to, and what a restart reads from it. */
function harness() {
  const backing = createMemoryBacking();
  const store = createMemoryStore(backing);
  const runs = new StoredRuns();
  const apply = (ops: StoreOp[]) => store.batch(ops);
  const read = async (base: number) => readRuns(base, await store.range('dcm/log/'));
  return { backing, runs, apply, read };
}

describe('log runs', () => {
  it('keys a run by its first index, 12 wide; longer indices stay whole', () => {
    expect(logKey(0)).toBe('dcm/log/000000000000');
    expect(logKey(1234)).toBe('dcm/log/000000001234');
    expect(logKey(1_000_000_000_000)).toBe('dcm/log/1000000000000');
  });

  it('writes one record per run, not per entry, and reads the log back in order', async () => {
    const h = harness();
    await h.apply(h.runs.replace(1, range(1, 10)));
    await h.apply(h.runs.replace(11, range(11, 12)));
    expect([...h.backing.entries.keys()]).toEqual([logKey(1), logKey(11)]);
    expect((await h.read(0)).entries).toEqual(range(1, 12));
  });

  it('a cut inside a run keeps its part before the cut and deletes every later run', async () => {
    const h = harness();
    await h.apply(h.runs.replace(1, range(1, 10)));
    await h.apply(h.runs.replace(11, range(11, 20)));
    await h.apply(h.runs.replace(21, range(21, 25)));
    await h.apply(h.runs.replace(6, range(6, 8, 2))); // a new sequencer's entries from 6
    expect([...h.backing.entries.keys()].sort()).toEqual([logKey(1), logKey(6)]);
    expect((await h.read(0)).entries).toEqual([...range(1, 5), ...range(6, 8, 2)]);
    await h.apply(h.runs.replace(7, [])); // a cut with nothing after it (an exact append)
    expect((await h.read(0)).entries).toEqual([...range(1, 5), ...range(6, 6, 2)]);
    await h.apply(h.runs.replace(1, [])); // everything
    expect(h.backing.entries.size).toBe(0);
  });

  it('splits long appends into runs of at most MAX_RUN entries', async () => {
    const h = harness();
    await h.apply(h.runs.replace(1, range(1, 2 * MAX_RUN + 3)));
    expect([...h.backing.entries.keys()]).toEqual([logKey(1), logKey(1 + MAX_RUN), logKey(1 + 2 * MAX_RUN)]);
    expect((await h.read(0)).entries).toEqual(range(1, 2 * MAX_RUN + 3));
  });

  it('compaction deletes the runs wholly covered by the snapshot; one across it stays and reads from base + 1', async () => {
    const h = harness();
    for (let i = 1; i <= 50; i += 5) await h.apply(h.runs.replace(i, range(i, i + 4)));
    await h.apply(h.runs.dropThrough(23));
    expect([...h.backing.entries.keys()][0]).toBe(logKey(21));
    const back = await h.read(23);
    expect(back.entries).toEqual(range(24, 50));
    expect(back.stale).toEqual([]);
    // bulk: many runs dropped, the picture stays right
    for (let i = 51; i <= 3000; i++) await h.apply(h.runs.replace(i, range(i, i)));
    await h.apply(h.runs.dropThrough(2990));
    expect(h.runs.runs().map((r) => r.first)).toEqual(range(2991, 3000).map((_, k) => 2991 + k));
    expect((await h.read(2990)).entries).toEqual(range(2991, 3000));
  });

  it('reads older stores (one bare entry per key) as runs of one', () => {
    const records = range(1, 3).map((e, k) => [logKey(k + 1), e] as const);
    expect(readRuns(0, records).entries).toEqual(range(1, 3));
    expect(readRuns(1, records).runs.map((r) => r.first)).toEqual([2, 3]);
  });

  it('leftovers (below the snapshot, past a gap) are reported stale and deleted with the next write', async () => {
    const h = harness();
    const store = createMemoryStore(h.backing);
    await store.batch([
      { type: 'put', key: logKey(3), value: range(3, 5) }, // wholly below base 5
      { type: 'put', key: logKey(6), value: range(6, 8) },
      { type: 'put', key: logKey(12), value: range(12, 13) }, // past a gap
      { type: 'put', key: logKey(14), value: range(14, 14) },
      { type: 'put', key: 'dcm/log/garbage', value: 1 },
    ]);
    const back = await h.read(5);
    expect(back.entries).toEqual(range(6, 8));
    expect(back.stale.sort()).toEqual([logKey(3), logKey(12), logKey(14), 'dcm/log/garbage'].sort());
    const runs = new StoredRuns();
    runs.seed(back, 5);
    await store.batch(runs.replace(9, range(9, 14, 2)));
    expect([...h.backing.entries.keys()].sort()).toEqual([logKey(6), logKey(9)]);
    expect((await h.read(5)).entries).toEqual([...range(6, 8), ...range(9, 14, 2)]);
  });

  it('random appends, cuts and compactions: the store always reads back as the log in memory', async () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    const h = harness();
    let log: Entry[] = []; // index i at log[i - 1]
    let base = 0;
    for (let step = 0; step < 400; step++) {
      const last = log.length;
      const r = rand(10);
      if (r < 6) {
        const n = 1 + rand(2 * MAX_RUN);
        const es = range(last + 1, last + n, step);
        await h.apply(h.runs.replace(last + 1, es));
        log = log.concat(es);
      } else if (r < 8 && last > base) {
        const from = base + 1 + rand(last - base);
        const es = range(from, from + rand(20), step);
        await h.apply(h.runs.replace(from, es));
        log = log.slice(0, from - 1).concat(es);
      } else if (last > base) {
        base = base + rand(last - base + 1);
        await h.apply(h.runs.dropThrough(base));
      }
      const back = await h.read(base);
      expect(back.stale, `step ${step} r ${r} base ${base} last ${log.length} runs ${h.runs.runs().map((x) => `${x.first}+${x.entries.length}`).join(" ")}`).toEqual([]);
      expect(back.entries).toEqual(log.slice(base));
    }
  });
});
