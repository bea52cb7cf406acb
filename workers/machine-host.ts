// Everything the machine worker owns for one room, assembled in start-up order: the room database, this
// tab's peer identity, its local molecules, the room protocol (over the port transport to the main thread),
// the machine, and its reactors restored from storage — all before the transport is asked to connect, so a
// reload restores its state before it rejoins and a tab opened offline works on its own state.
import type { Clock, Random, TimerHandle } from '../src/core/clock';
import type { PeerId, ReactorId } from '../src/core/ids';
import { logger } from '../src/core/log';
import { createMachine } from '../src/core/machine';
import type { Machine } from '../src/core/machine-api';
import type { ReactionRunner } from '../src/core/runner';
import type { Elector } from '../src/dcm/elector';
import { createLeaseElector } from '../src/dcm/electors/lease';
import { createWebLocksElector, storeEpochCounter } from '../src/dcm/electors/web-locks';
import { createDistributedRoom, type DistributedRoom } from '../src/dcm/room';
import { LocalMolecules } from '../src/store/local-molecules';
import { claimPeerIdentity, peerPrefix, peerRecordKey, type ClaimedIdentity, type PeerRecord } from '../src/store/peer-identity';
import { scopeStore } from '../src/store/scoped';
import { StoreQuotaError, type Store } from '../src/store/store';
import type { MachineSnapshot } from './contract/machine-snapshot';
import { createPortTransport, type PortTransport } from '../src/mesh/port/port-transport';
import type { PortLike } from '../src/mesh/port/port-protocol';
import type { ActivityItem } from './contract/room-view';
import { ActivityFeed } from './activity-feed';
import { ClaimsTracker } from './claims-tracker';
import { buildSnapshot } from './machine-view';
import { RoomHistory } from './room-history';
import type { ReactorRegistry } from './reactor-registry';

const log = logger('kinetic:worker:host');

export interface MachineHostInit {
  readonly room: string;
  /** The name to show; empty keeps the one stored with this tab's identity. */
  readonly displayName: string;
  /** The peer id this tab had before a reload (sessionStorage), tried first. */
  readonly preferredPeer: string | null;
  /** A signaling server is configured: elect with its lease. Otherwise Web Locks among this browser's tabs. */
  readonly signaling: boolean;
  /**
   * This tab creates the room ("Create a room"): it may start the room's history. false ("open a link"): it
   * joins the history there is and waits for a peer holding it (room-history.ts says when it may start one).
   */
  readonly newHistory: boolean;
}

export interface MachineHostDeps {
  readonly port: PortLike;
  /**
   * Open the room database; `scope` names it (lock names are per origin, so they include it). Background
   * failures of the database (e.g. another tab upgraded it past this code) go to `onError`: the UI shows them.
   */
  readonly openStore: (room: string, onError: (error: Error) => void) => Promise<{ store: Store; scope: string }>;
  readonly locks: LockManager | null;
  readonly registry: ReactorRegistry;
  readonly runner?: ReactionRunner;
  /** Monotonic time for timers and ages. */
  readonly clock: Clock;
  /** Wall-clock milliseconds for what people read: identity records, activity times. */
  readonly wallNow: () => number;
  readonly random: Random;
  readonly newPeerId: () => PeerId;
  readonly onSnapshot: (snapshot: MachineSnapshot) => void;
  readonly onActivity: (items: ActivityItem[]) => void;
  /** Minimum time between snapshots (default 100 ms: at most 10 a second). */
  readonly snapshotIntervalMs?: number;
}

export interface MachineHost {
  readonly peerId: PeerId;
  readonly machine: Machine;
  readonly room: DistributedRoom;
  readonly transport: PortTransport;
  emit(reactor: string, molecule: string, value?: unknown): void;
  call(reactor: string, molecule: string, value?: unknown, timeoutMs?: number): Promise<unknown>;
  load(reactor: string): Promise<void>;
  unload(reactor: string): Promise<void>;
  setDisplayName(name: string): Promise<void>;
  /** The person chose to start a new history of the room (this tab waits for one); throws if it holds one. */
  startNewHistory(): void;
  /** Make local state durable now (the page is going away). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function openMachineHost(init: MachineHostInit, deps: MachineHostDeps): Promise<MachineHost> {
  const { clock, registry } = deps;
  let storageError: string | null = null;
  let problem: string | null = null;
  let ready = false;
  const onStorageError = (e: Error): void => {
    storageError = e instanceof StoreQuotaError ? `Storage is full: ${e.message}` : `Storage failed: ${e.message}`;
    log('storage error', e);
    if (ready) dirty();
  };
  const { store, scope } = await deps.openStore(init.room, onStorageError);

  const identity: ClaimedIdentity = await claimPeerIdentity({
    store,
    scope,
    locks: deps.locks,
    preferred: init.preferredPeer as PeerId | null,
    newId: deps.newPeerId,
    now: deps.wallNow,
    ...(init.displayName ? { displayName: init.displayName } : {}),
  });
  let record: PeerRecord = identity.record;
  const self = record.id;
  const peerStore = scopeStore(store, peerPrefix(self));
  const local = await LocalMolecules.open({ store: peerStore, clock, onError: onStorageError });

  const transport = createPortTransport(deps.port, self);
  const elector: Elector =
    init.signaling || !deps.locks
      ? createLeaseElector({ self, lease: transport.lease, clock })
      : createWebLocksElector({
          self,
          locks: deps.locks,
          name: `kinetic-mesh/${scope}/sequencer`,
          counter: storeEpochCounter(store, 'sequencer/epoch'),
          onError: onStorageError,
        });
  const room = createDistributedRoom({ self, transport, elector, store: peerStore, clock, random: deps.random, newHistory: false });
  // The replica stops itself (fail-stop) on a failed store write or a log that differs from the room's: say
  // so in those words, not as a plain storage error — this tab no longer takes part until it reloads.
  room.on('error', (e) => {
    const stopped = room.status().stopped;
    if (stopped === undefined) return onStorageError(e);
    storageError = `This tab stopped taking part in the room (${stopped}). Reload the page to resume from what is saved.`;
    log('room stopped', e);
    if (ready) dirty();
  });
  await room.start();
  // After start: the room's status names the history this tab's store holds. Before connect: the server's
  // record arrives with the first join.
  const history = new RoomHistory({ room, record: init.signaling ? transport.record : null, creating: init.newHistory, onChange: () => ready && dirty() });

  const machine = createMachine({ peerId: self, clock, random: deps.random, distributed: room, ...(deps.runner ? { runner: deps.runner } : {}) });
  const claims = new ClaimsTracker(machine, clock);
  const activity = new ActivityFeed({ clock, wallNow: deps.wallNow, intervalMs: deps.snapshotIntervalMs ?? 100, send: deps.onActivity });
  const offs: Array<() => void> = [];

  const saveRecord = async (patch: Partial<PeerRecord>): Promise<void> => {
    record = { ...record, ...patch };
    await store.save(peerRecordKey(self), record).catch(onStorageError);
  };

  const loadByName = (name: string): void => {
    const entry = registry.get(name);
    if (!entry) throw new Error(`unknown reactor "${name}"`);
    if (machine.get(entry.definition.id)) return;
    const loaded = machine.load(entry.definition, { restore: local.restoreFor(entry.definition.id) });
    for (const s of entry.seed) loaded.feed(s.molecule, s.value);
  };
  for (const name of record.reactors.length ? record.reactors : registry.autoload) {
    try {
      loadByName(name);
    } catch (e) {
      problem = `Reactor "${name}" could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (!record.reactors.length) await saveRecord({ reactors: loadedNames() });
  const stopFollowing = local.follow(machine);
  offs.push(activity.follow(machine, room));

  function loadedNames(): string[] {
    return machine.reactors().map((r) => r.name);
  }

  // Snapshots: at most one per interval, and only when something changed.
  let timer: TimerHandle | null = null;
  let last = -Infinity;
  function dirty(): void {
    if (timer) return;
    const wait = Math.max(0, last + (deps.snapshotIntervalMs ?? 100) - clock.now());
    timer = clock.setTimeout(() => {
      timer = null;
      last = clock.now();
      deps.onSnapshot(snapshot());
    }, wait);
  }
  const snapshot = (): MachineSnapshot =>
    buildSnapshot({ room: init.room, displayName: record.displayName, machine, dcm: room, claims, registry, storageError, problem, history: history.view() });
  for (const e of ['emitted', 'consumed', 'reaction-finished', 'reaction-failed', 'reactor-loaded', 'reactor-unloaded'] as const) offs.push(machine.on(e, dirty));
  offs.push(room.on('status', dirty), room.on('catalog', dirty), room.on('applied', dirty));
  ready = true;
  deps.onSnapshot(snapshot());

  // Only now join: everything above worked from storage alone.
  transport.connect().catch((e: unknown) => {
    problem = `Not connected to the room: ${e instanceof Error ? e.message : String(e)}. Running on local state.`;
    dirty();
  });

  const loadedByName = (name: string) => machine.reactors().find((r) => r.name === name);

  return {
    peerId: self,
    machine,
    room,
    transport,
    emit(reactor, molecule, value) {
      const loaded = loadedByName(reactor);
      if (loaded) return loaded.feed(molecule, value);
      // Delegation: a peer without the reactor can still put a distributed molecule into the room.
      const info = room.catalog().find((c) => c.info.name === reactor)?.info ?? registry.get(reactor)?.definition.info;
      const m = info?.molecules.find((x) => x.name === molecule);
      if (!info || !m?.distributed || m.kind !== 'molecule') throw new Error(`reactor "${reactor}" is not loaded here and "${molecule}" is not a distributed molecule of it`);
      room.emit(info.id as ReactorId, molecule, value);
    },
    call(reactor, molecule, value, timeoutMs) {
      const loaded = loadedByName(reactor);
      if (!loaded) return Promise.reject(new Error(`reactor "${reactor}" is not loaded here`));
      return loaded.call(molecule, value, timeoutMs === undefined ? {} : { timeoutMs });
    },
    async load(name) {
      loadByName(name);
      await saveRecord({ reactors: loadedNames() });
      dirty();
    },
    async unload(name) {
      const loaded = loadedByName(name);
      if (!loaded) return;
      await local.flush();
      machine.unload(loaded.id);
      await saveRecord({ reactors: loadedNames() });
      dirty();
    },
    async setDisplayName(name) {
      await saveRecord({ displayName: name });
      dirty();
    },
    startNewHistory() {
      history.startNewHistory();
      dirty();
    },
    async flush() {
      activity.flush();
      await local.flush();
    },
    async close() {
      if (timer) clock.clearTimeout(timer);
      activity.flush();
      for (const off of offs) off();
      history.close();
      // The last snapshot is taken from the soup itself while still following it; then stop.
      await local.flush();
      await local.compact();
      stopFollowing();
      await local.flush();
      await room.stop().catch((e: unknown) => log('room stop failed', e));
      machine.dispose();
      transport.close();
      identity.release();
      await store.close();
    },
  };
}
