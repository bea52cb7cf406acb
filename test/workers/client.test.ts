// The MachineClient over a real machine host (in-process, no worker): views are throttled to ≤ ~10/s under a
// burst, a late subscriber gets the latest view at once, and membership comes from the presence source.
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom, systemClock } from '../../src/core/clock';
import { asPeerId } from '../../src/core/ids';
import { createMemoryNetwork } from '../../src/mesh/memory';
import { until } from '../../src/mesh/testing/transport-suite';
import { createMemoryStore } from '../../src/store/memory';
import { createMachineClient, type MachineClientHandle, type PresenceMember, type RoomPresence } from '../../workers/client/machine-client';
import { serveRoomPort } from '../../src/mesh/port/port-host';
import type { ActivityItem, RoomView } from '../../workers/contract/room-view';
import { remoteEmitters } from '../../workers/contract/remote-emitters';
import { loadExampleRegistry } from '../../workers/example-registry';
import { counter } from '../../src/reactors/counter';
import { todo } from '../../src/reactors/todo';
import { counterState } from '../../src/ui/models/counter';
import { todoItems } from '../../src/ui/models/todo';
import { openMachineHost } from '../../workers/machine-host';
import { createProcessLocks } from '../store/locks';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function clientOverHost(presence: RoomPresence | null): Promise<MachineClientHandle> {
  const { port1, port2 } = new MessageChannel();
  let client: MachineClientHandle | null = null;
  const host = await openMachineHost(
    { room: 'c', displayName: 'Ada', preferredPeer: null, signaling: false, newHistory: true },
    {
      port: port2,
      openStore: async () => ({ store: createMemoryStore(), scope: 'c-db' }),
      locks: createProcessLocks(),
      registry: await loadExampleRegistry(),
      clock: systemClock,
      wallNow: () => Date.now(),
      random: seededRandom(5),
      newPeerId: () => asPeerId('selfpeer'),
      onSnapshot: (s) => client?.pushSnapshot(s),
      onActivity: (items) => client?.pushActivity(items),
      snapshotIntervalMs: 20,
    },
  );
  const net = createMemoryNetwork({ clock: systemClock, random: seededRandom(6) });
  const served = serveRoomPort(port1, net.transport(host.peerId));
  client = createMachineClient({
    calls: { ...host, emit: async (...a) => host.emit(...a), startNewHistory: async () => host.startNewHistory() },
    presence,
    shutdown: async () => {
      await host.close();
      served.stop();
      port1.close();
    },
  });
  cleanups.push(() => client.close());
  return client;
}

describe('machine client', () => {
  it('throttles views under a burst and hands the latest view to late subscribers', async () => {
    const client = await clientOverHost(null);
    const views: RoomView[] = [];
    const activity: ActivityItem[] = [];
    client.subscribe((v) => views.push(v));
    client.onActivity((items) => activity.push(...items));
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) await client.emit('mapreduce', 'pending', { run: `r${i}`, jobs: 1, cost: 0, cpu: false, at: i });
    await until(() => views.at(-1)?.molecules.find((g) => g.name === 'pending')?.count === 2000, 10_000, 'the last view');
    const seconds = (performance.now() - t0) / 1000;
    expect(views.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    const late: RoomView[] = [];
    client.subscribe((v) => late.push(v));
    expect(late).toHaveLength(1);
    expect(late[0]?.molecules.find((g) => g.name === 'pending')?.count).toBe(2000);
    expect(late[0]?.peers).toEqual([expect.objectContaining({ id: 'selfpeer', name: 'Ada', isSelf: true, link: 'self' })]);
    expect(late[0]?.molecules.find((g) => g.name === 'pending')?.sample.length).toBeLessThanOrEqual(500);
  });

  it('joins worker snapshots with the mesh membership', async () => {
    const listeners = new Set<() => void>();
    let members: PresenceMember[] = [{ id: asPeerId('selfpeer'), name: 'Ada', state: 'running', link: 'self', rttMs: 0, isSelf: true }];
    const presence: RoomPresence = {
      members: () => members,
      signaling: 'connected',
      problem: null,
      on: (_e, l) => (listeners.add(l), () => listeners.delete(l)),
    };
    const client = await clientOverHost(presence);
    let latest: RoomView | null = null;
    client.subscribe((v) => (latest = v));
    members = [...members, { id: asPeerId('bob'), name: 'Bob', state: 'busy', link: 'webrtc', rttMs: 3, isSelf: false }];
    for (const l of listeners) l();
    await until(() => (latest as RoomView | null)?.peers.length === 2, 5000, 'two peers in the view');
    const view = latest as unknown as RoomView;
    expect(view.signaling).toBe('connected');
    expect(view.peers[1]).toEqual(expect.objectContaining({ id: 'bob', link: 'webrtc', state: 'busy', rttMs: 3, isSelf: false }));
    await client.close();
    await expect(client.emit('todo', 'add', {})).rejects.toThrow(/closed/);
  });

  it("emits through a reactor's own declaration: typed values reach the reactions, blocking molecules answer", async () => {
    const client = await clientOverHost(null);
    let latest: RoomView | null = null;
    client.subscribe((v) => (latest = v));
    const todoEmit = remoteEmitters(client, todo);
    await todoEmit.add({ id: 't1', text: '  milk  ', at: 1 });
    await until(() => todoItems(latest).length === 1, 5000, 'the added todo in the view');
    expect(todoItems(latest)).toEqual([expect.objectContaining({ id: 't1', text: 'milk', done: false, by: 'selfpeer' })]);
    await todoEmit.mark({ id: 't1', done: true });
    await until(() => todoItems(latest)[0]?.done === true, 5000, 'the todo marked done');
    const counterEmit = remoteEmitters(client, counter);
    await until(() => counterState(latest).value !== null, 5000, 'the seeded counter');
    const before = await counterEmit.read(undefined, 5000);
    await counterEmit.incr();
    await until(() => counterState(latest).value === before + 1, 5000, 'the increment applied');
    expect(await counterEmit.read(undefined, 5000)).toBe(before + 1);
  });
});
