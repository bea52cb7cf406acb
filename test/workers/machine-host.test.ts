// Two tabs of one browser in one process: each a machine host (identity, store, local molecules, room
// protocol, machine) behind its own room port, sharing one database (memory backing) and one lock manager,
// linked by a memory network. Checks that they share distributed state, that a closed tab's state comes
// back when the room is reopened, and that a tab opened offline works on its own state.
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom, systemClock } from '../../src/core/clock';
import { asPeerId } from '../../src/core/ids';
import { createMemoryNetwork, type MemoryNetwork } from '../../src/mesh/memory';
import { until } from '../../src/mesh/testing/transport-suite';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import type { MachineSnapshot } from '../../workers/contract/machine-snapshot';
import { serveRoomPort } from '../../src/mesh/port/port-host';
import { loadExampleRegistry } from '../../workers/example-registry';
import { openMachineHost, type MachineHost } from '../../workers/machine-host';
import { createProcessLocks } from '../store/locks';

interface Tab {
  host: MachineHost;
  /** Connect the main-thread side (for a tab that opened offline). */
  goOnline(): void;
  latest: () => MachineSnapshot | null;
  close(): Promise<void>;
}

let ids = 0;
const open: Tab[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

/** Every tab here may start the room's history (as the tab that created the room). */
async function openTab(net: MemoryNetwork, backing: MemoryBacking, locks: LockManager, preferred: string | null = null, displayName = 'tab', online = true, wrap: (s: Store) => Store = (s) => s): Promise<Tab> {
  const { port1, port2 } = new MessageChannel();
  let latest: MachineSnapshot | null = null;
  const host = await openMachineHost(
    { room: 'r', displayName, preferredPeer: preferred, signaling: false, newHistory: true },
    {
      port: port2,
      openStore: async () => ({ store: wrap(createMemoryStore(backing)), scope: 'r-db' }),
      locks,
      registry: await loadExampleRegistry(),
      clock: systemClock,
      wallNow: () => Date.now(),
      random: seededRandom(++ids),
      newPeerId: () => asPeerId(`tab${ids}x${Math.floor(Math.random() * 1e6)}`),
      onSnapshot: (s) => (latest = s),
      onActivity: () => undefined,
      snapshotIntervalMs: 20,
    },
  );
  // The main thread's side: a transport for the peer id the worker chose.
  const transport = net.transport(host.peerId);
  let served: { stop(): void } | null = online ? serveRoomPort(port1, transport) : null;
  const tab: Tab = {
    host,
    latest: () => latest,
    goOnline: () => void (served ??= serveRoomPort(port1, transport)),
    async close() {
      await host.close();
      served?.stop();
      await transport.disconnect();
      transport.crash(); // the tab is gone: a later tab may take the same peer id
      port1.close();
    },
  };
  open.push(tab);
  return tab;
}

const todoTexts = (t: Tab): string[] =>
  ((t.latest()?.molecules.find((g) => g.reactorName === 'todo' && g.name === 'item')?.sample ?? []) as { text: string }[]).map((i) => i.text).sort();

describe('machine host', () => {
  it('two tabs share the todo list; closing every tab and reopening brings it back', async () => {
    const net = createMemoryNetwork({ clock: systemClock, random: seededRandom(1) });
    const backing = createMemoryBacking();
    const locks = createProcessLocks();
    const a = await openTab(net, backing, locks);
    const b = await openTab(net, backing, locks);
    expect(b.host.peerId).not.toBe(a.host.peerId);
    a.host.emit('todo', 'add', { id: 't1', text: 'milk', at: 1 });
    b.host.emit('todo', 'add', { id: 't2', text: 'eggs', at: 2 });
    await until(() => todoTexts(a).length === 2 && todoTexts(b).length === 2, 10_000, 'both tabs to see both todos');
    const aId = a.host.peerId;
    await Promise.all(open.splice(0).map((t) => t.close()));

    const again = await openTab(net, backing, locks, aId);
    expect(again.host.peerId).toBe(aId);
    await until(() => todoTexts(again).length === 2, 10_000, 'the reopened tab to show the stored todos');
    expect(todoTexts(again)).toEqual(['eggs', 'milk']);
  });

  it('restores local molecules, loaded reactors and the display name on reload', async () => {
    const net = createMemoryNetwork({ clock: systemClock, random: seededRandom(2) });
    const backing = createMemoryBacking();
    const locks = createProcessLocks();
    const tab = await openTab(net, backing, locks);
    await tab.host.unload('chat');
    await tab.host.setDisplayName('Ada');
    // mapreduce's `start` keeps a local `pending` marker: local state of this peer.
    tab.host.emit('mapreduce', 'start', { run: 'r1', jobs: 2, cost: 0, cpu: false, at: Date.now() });
    await tab.host.machine.idle();
    const id = tab.host.peerId;
    await tab.close();
    open.splice(0);

    const reloaded = await openTab(net, backing, locks, id, '');
    expect(reloaded.host.peerId).toBe(id);
    expect(reloaded.host.machine.reactors().map((r) => r.name)).not.toContain('chat');
    await until(() => reloaded.latest()?.displayName === 'Ada', 5000, 'display name');
    const pending = reloaded.host.machine.molecules().find((g) => g.reactorName === 'mapreduce' && g.name === 'pending');
    expect(pending?.count).toBe(1);
  });

  it('a tab opened offline works on its own state and delivers its emissions once the room is reachable', async () => {
    const net = createMemoryNetwork({ clock: systemClock, random: seededRandom(3) });
    const backing = createMemoryBacking();
    const locks = createProcessLocks();
    const online = await openTab(net, backing, locks);
    const offline = await openTab(net, backing, locks, null, 'offline', false);
    // Local reactions run without the network.
    offline.host.emit('mapreduce', 'start', { run: 'r2', jobs: 1, cost: 0, cpu: false, at: Date.now() });
    offline.host.emit('todo', 'add', { id: 'o1', text: 'written offline', at: 3 });
    await offline.host.machine.idle();
    expect(offline.host.machine.molecules().find((g) => g.reactorName === 'mapreduce' && g.name === 'pending')?.count).toBe(1);
    await until(() => (offline.latest()?.outbox ?? 0) > 0, 5000, 'the emission to wait in the outbox');
    expect(todoTexts(online)).toEqual([]);
    offline.goOnline();
    await until(() => todoTexts(online).includes('written offline'), 10_000, 'the offline emission to reach the room');
    await until(() => offline.latest()?.outbox === 0, 10_000, 'the outbox to drain');
  });

  it('a failed store write stops the tab\'s replica and says so in plain words (fail-stop, not a plain storage error)', async () => {
    const net = createMemoryNetwork({ clock: systemClock, random: seededRandom(4) });
    const backing = createMemoryBacking();
    const locks = createProcessLocks();
    const failing = { on: false };
    const tab = await openTab(net, backing, locks, null, 'tab', true, (store) => ({
      ...store,
      batch: (ops) => (failing.on ? Promise.reject(new Error('simulated: disk full')) : store.batch(ops)),
    }));
    await until(() => tab.latest() !== null, 5000, 'a first snapshot');
    failing.on = true;
    tab.host.emit('todo', 'add', { id: 'f1', text: 'never stored', at: 4 });
    await until(() => /stopped taking part in the room/.test(tab.latest()?.storageError ?? ''), 10_000, 'the stopped notice');
    expect(tab.latest()?.storageError).toMatch(/store write failed: simulated: disk full.*Reload the page/);
  });
});
