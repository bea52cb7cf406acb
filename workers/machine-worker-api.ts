// The machine worker's API, as the main thread calls it through comlink. It owns the machine host (machine,
// room protocol, store) and the reaction pool; the main thread keeps the UI and the transports.
import { expose, type Endpoint } from 'comlink';
import { systemClock, systemRandom } from '../src/core/clock';
import { logger } from '../src/core/log';
import { randomPeerId } from '../src/mesh/peer-id';
import { openIdbStore } from '../src/store/idb';
import { databaseNameFor } from '../src/store/room-database';
import type { MachineSnapshot } from './contract/machine-snapshot';
import type { ActivityItem } from './contract/room-view';
import { loadExampleRegistry } from './example-registry';
import { openMachineHost, type MachineHost, type MachineHostInit } from './machine-host';
import { createReactionPool, type ReactionPool } from './pool';
import { spawnThroughPage, type PoolSpawner } from './pool-spawn';

const log = logger('kinetic:worker');

export interface MachineWorkerApi {
  /**
   * Open the room: restore everything from storage, then join through `port`. Pool workers are started by
   * the page at the other end of `poolPort` (see pool-spawn.ts). Resolves with this tab's peer id.
   */
  open(init: MachineHostInit, port: MessagePort, poolPort: MessagePort, onSnapshot: (s: MachineSnapshot) => void, onActivity: (items: ActivityItem[]) => void): Promise<{ peerId: string }>;
  emit(reactor: string, molecule: string, value?: unknown): Promise<void>;
  call(reactor: string, molecule: string, value?: unknown, timeoutMs?: number): Promise<unknown>;
  load(reactor: string): Promise<void>;
  unload(reactor: string): Promise<void>;
  setDisplayName(name: string): Promise<void>;
  /** Start a new history of the room (the person's explicit act while the tab waits for one). */
  startNewHistory(): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function serveMachineWorker(endpoint: Endpoint): void {
  let host: MachineHost | null = null;
  let pool: ReactionPool | null = null;
  let spawner: PoolSpawner | null = null;
  const nav = (globalThis as { navigator?: { locks?: LockManager } }).navigator;

  const opened = (): MachineHost => {
    if (!host) throw new Error('the machine worker has no room open');
    return host;
  };

  const api: MachineWorkerApi = {
    async open(init, port, poolPort, onSnapshot, onActivity) {
      if (host) throw new Error('the machine worker already has a room open');
      spawner = spawnThroughPage(poolPort);
      pool = createReactionPool({ spawn: spawner.spawn, onError: (e) => log('pool', e) });
      host = await openMachineHost(init, {
        port,
        openStore: async (room, onError) => {
          const name = await databaseNameFor(room);
          return { store: await openIdbStore({ name, onError }), scope: name };
        },
        locks: nav?.locks ?? null,
        registry: await loadExampleRegistry(),
        runner: pool,
        clock: systemClock,
        wallNow: () => Date.now(),
        random: systemRandom,
        newPeerId: () => randomPeerId(systemRandom),
        onSnapshot,
        onActivity,
      });
      return { peerId: host.peerId };
    },
    emit: async (reactor, molecule, value) => opened().emit(reactor, molecule, value),
    call: (reactor, molecule, value, timeoutMs) => opened().call(reactor, molecule, value, timeoutMs),
    load: (reactor) => opened().load(reactor),
    unload: (reactor) => opened().unload(reactor),
    setDisplayName: (name) => opened().setDisplayName(name),
    startNewHistory: async () => opened().startNewHistory(),
    flush: () => opened().flush(),
    async close() {
      await host?.close();
      host = null;
      pool?.close();
      pool = null;
      spawner?.close();
      spawner = null;
    },
  };
  expose(api, endpoint);
}
