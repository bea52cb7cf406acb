// The app's side of named histories, end to end in one process: machine hosts (the worker side) behind room
// ports, each served by a real mesh room (ws-relay) on a real signaling server with a --data folder. "Create a
// room" starts the history and the server records it; a fresh tab that opens the link waits for it (never
// forks), also after the server restarted, and joins it when a holder returns; a link to a room the server
// never saw starts by itself; "Start a new history" is the explicit way out, and the record follows it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom, systemClock } from '../../src/core/clock';
import { asPeerId } from '../../src/core/ids';
import { serveRoomPort } from '../../src/mesh/port/port-host';
import { createMeshRoom } from '../../src/mesh/room/mesh-room';
import { until } from '../../src/mesh/testing/transport-suite';
import { wsRelayLink } from '../../src/mesh/ws-relay';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from '../../src/store/memory';
import type { SignalingServer } from '../../signaling-server/src/index';
import type { MachineSnapshot } from '../../workers/contract/machine-snapshot';
import { loadExampleRegistry } from '../../workers/example-registry';
import { openMachineHost, type MachineHost } from '../../workers/machine-host';
import { createProcessLocks } from '../store/locks';
import { nodeWebSocket, startServer } from '../mesh/node-peers';

interface Tab {
  readonly host: MachineHost;
  latest(): MachineSnapshot | null;
  close(): Promise<void>;
}

/** A browser profile: its own database and locks, so a tab reopened in it finds what it stored. */
interface Browser {
  readonly name: string;
  readonly backing: MemoryBacking;
  readonly locks: LockManager;
}

const browser = (name: string): Browser => ({ name, backing: createMemoryBacking(), locks: createProcessLocks() });

let server: SignalingServer | null = null;
let url = '';
let port = 0;
const tabs: Tab[] = [];
const dirs: string[] = [];
let seed = 0;

afterEach(async () => {
  await Promise.all(tabs.splice(0).map((t) => t.close()));
  await server?.close();
  server = null;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function serve(dataDir: string): Promise<void> {
  const started = await startServer({ dataDir, ...(port ? { port } : {}) });
  server = started.server;
  url = started.url;
  port = server.address().port;
}

async function openTab(b: Browser, room: string, newHistory: boolean): Promise<Tab> {
  const { port1, port2 } = new MessageChannel();
  let latest: MachineSnapshot | null = null;
  const host = await openMachineHost(
    { room, displayName: b.name, preferredPeer: null, signaling: true, newHistory },
    {
      port: port2,
      openStore: async () => ({ store: createMemoryStore(b.backing), scope: `${room}-db` }),
      locks: b.locks,
      registry: await loadExampleRegistry(),
      clock: systemClock,
      wallNow: () => Date.now(),
      random: seededRandom(++seed),
      newPeerId: () => asPeerId(`${b.name}${seed}`),
      onSnapshot: (s) => (latest = s),
      onActivity: () => undefined,
      snapshotIntervalMs: 20,
    },
  );
  const mesh = createMeshRoom({ roomName: room, key: 'k', keyIterations: 1000, signalingUrl: url, peerId: host.peerId, links: [wsRelayLink()], webSocket: nodeWebSocket });
  const served = serveRoomPort(port1, mesh, mesh.lease, mesh.record);
  const tab: Tab = {
    host,
    latest: () => latest,
    async close() {
      const i = tabs.indexOf(tab);
      if (i >= 0) tabs.splice(i, 1);
      await host.close();
      served.stop();
      await mesh.disconnect();
      port1.close();
    },
  };
  tabs.push(tab);
  return tab;
}

const history = (t: Tab) => t.latest()?.history;

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-history-'));
  dirs.push(d);
  return d;
}

describe('the app and the room history', () => {
  it('a fresh tab opening the link waits for the history (also after a server restart) and joins it when its holder returns', async () => {
    port = 0;
    const dataDir = tmp();
    await serve(dataDir);
    const ann = browser('ann');
    const a = await openTab(ann, 'kept', true); // "Create a room"
    await until(() => history(a)?.genesis != null && history(a)?.recorded === history(a)?.genesis, 15_000, 'the creator to start the history and the server to record it');
    const genesis = history(a)!.genesis!;
    a.host.emit('todo', 'add', { id: 't1', text: 'from the creator', at: 1 });
    await a.host.flush();
    await a.close();

    // The server restarts with its --data folder; a fresh browser opens the link while nobody holds the history.
    await server!.close();
    await serve(dataDir);
    const bob = browser('bob');
    const b = await openTab(bob, 'kept', false);
    await until(() => history(b)?.waiting === true, 15_000, 'the fresh tab to say it waits for the history');
    expect(history(b)).toMatchObject({ genesis: null, recorded: genesis, mayStart: false, others: [] });
    // It waits: it does not start a history of its own, however long nobody answers.
    await new Promise((r) => setTimeout(r, 1500));
    expect(history(b)?.genesis).toBeNull();

    // Ann comes back (her store kept): Bob joins her history, never a second one.
    const again = await openTab(ann, 'kept', false);
    await until(() => history(b)?.genesis === genesis, 20_000, 'the fresh tab to join the returning holder\'s history');
    expect(history(again)?.genesis).toBe(genesis);
    expect(history(b)).toMatchObject({ waiting: false, others: [] });
  });

  it('a link to a room the server never saw starts by itself; "Start a new history" is explicit and the record follows it', async () => {
    port = 0;
    await serve(tmp());
    // Someone typed a new room's link by hand: the server has no record, nobody answers — it starts.
    const cy = browser('cy');
    const c = await openTab(cy, 'by-hand', false);
    await until(() => history(c)?.genesis != null, 15_000, 'the tab to start the new room\'s history');
    const first = history(c)!.genesis!;
    await until(() => history(c)?.recorded === first, 5000, 'the server to record it');
    expect(() => c.host.startNewHistory()).toThrow(/already holds a history/);
    await c.close();

    // Another browser opens the link while Cy is away: it waits; the person chooses to start a new history.
    const d = await openTab(browser('dee'), 'by-hand', false);
    await until(() => history(d)?.waiting === true, 15_000, 'the tab to wait for the history');
    d.host.startNewHistory();
    await until(() => history(d)?.genesis != null, 15_000, 'the new history to start');
    const second = history(d)!.genesis!;
    expect(second).not.toBe(first);
    await until(() => history(d)?.recorded === second, 5000, 'the server record to name the new history');
    // Cy returns with the first history: the two meet, neither is merged, both say so; the record stays.
    const back = await openTab(cy, 'by-hand', false);
    expect(history(back)?.genesis).toBe(first);
    await until(() => (history(back)?.others.length ?? 0) > 0 && (history(d)?.others.length ?? 0) > 0, 20_000, 'the two histories to see each other');
    expect(history(back)?.others).toEqual([{ peer: d.host.peerId, genesis: second }]);
    expect(history(d)?.others).toEqual([{ peer: back.host.peerId, genesis: first }]);
    expect(history(back)).toMatchObject({ genesis: first, recorded: second });
    expect(history(d)).toMatchObject({ genesis: second, recorded: second });
  });
});
