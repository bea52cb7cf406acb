// Local molecules survive a restart: a real machine's soup is followed, written, compacted and restored
// into a new machine.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock';
import { createMachine } from '../../src/core/machine';
import { reactor } from '../../src/core/reactor';
import { LocalMolecules } from '../../src/store/local-molecules';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';

const notes = reactor({ name: 'notes', version: '1', module: import.meta.url }, (r) => {
  const note = r.molecule<string>('note');
  const drop = r.molecule<string>('drop');
  const mood = r.latched<string>('mood');
  const size = r.blocking<void, number>('size');
  const shared = r.molecule<number>('shared', { distributed: true });
  r.react('drop', [note, drop], () => undefined, { guard: ([n, d]) => n === d });
  r.react('size', [size], ([call]) => void call.reply(0));
  return { note, drop, mood, size, shared };
});

const soupOf = (m: ReturnType<typeof createMachine>) =>
  m
    .molecules({ limit: 1000 })
    .filter((g) => !g.distributed && g.kind !== 'blocking')
    .map((g) => [g.name, [...g.values].map(String).sort()] as const)
    .filter(([, v]) => v.length);

async function session(store: Store, work: (emit: ReturnType<typeof createMachine>['load'] extends never ? never : ReturnType<ReturnType<typeof createMachine>['load']>) => void, compactEvery = 1000) {
  const local = await LocalMolecules.open({ store, clock: systemClock, onError: (e) => { throw e; }, compactEvery, flushMs: 1 });
  const machine = createMachine();
  const loaded = machine.load(notes, { restore: local.restoreFor(notes.id) });
  local.follow(machine);
  work(loaded as never);
  await machine.idle();
  await local.flush();
  return { machine, local, soup: soupOf(machine) };
}

describe('local molecules persistence', () => {
  it('restores the soup of the last session into a new machine', async () => {
    const backing = createMemoryBacking();
    const first = await session(createMemoryStore(backing), (r) => {
      r.feed('note', 'a');
      r.feed('note', 'b');
      r.feed('note', 'b');
      r.feed('mood', 'calm');
      r.feed('mood', 'happy');
      r.feed('drop', 'a');
      r.feed('drop', 'zzz'); // stays: no matching note
    });
    expect(first.soup).toEqual([
      ['note', ['b', 'b']],
      ['drop', ['zzz']],
      ['mood', ['happy']],
    ]);
    const second = await session(createMemoryStore(backing), () => undefined);
    expect(second.soup).toEqual(first.soup);
    expect(second.local.tail).toBeGreaterThan(0);
  });

  it('compacts into a snapshot of the soup, so start-up replays a short tail', async () => {
    const backing = createMemoryBacking();
    const store = createMemoryStore(backing);
    const first = await session(store, (r) => {
      for (let i = 0; i < 300; i++) r.feed('note', `n${i % 10}`);
      for (let i = 0; i < 100; i++) r.feed('drop', `n${i % 10}`);
    }, 50);
    await first.local.compact();
    const keys = (await store.range('local/')).map(([k]) => k);
    expect(keys).toEqual(['local/snapshot']);
    const second = await session(createMemoryStore(backing), () => undefined, 50);
    expect(second.local.tail).toBe(0);
    expect(second.soup).toEqual(first.soup);
    expect(second.local.count(notes.id)).toBe(200);
  });

  it('keeps stored state of reactors that are not loaded', async () => {
    const backing = createMemoryBacking();
    await session(createMemoryStore(backing), (r) => r.feed('note', 'kept'));
    const local = await LocalMolecules.open({ store: createMemoryStore(backing), clock: systemClock, onError: (e) => { throw e; } });
    const empty = createMachine();
    local.follow(empty);
    await local.compact();
    const again = await LocalMolecules.open({ store: createMemoryStore(backing), clock: systemClock, onError: (e) => { throw e; } });
    expect(again.restoreFor(notes.id)).toEqual([{ name: 'note', value: 'kept' }]);
  });
});
