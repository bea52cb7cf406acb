// Main-thread glue: open a room link as a MachineClient. Starts the machine worker (machine, room protocol,
// IndexedDB, reaction pool), lets it restore this tab's state from storage, and only then creates the mesh
// room (WebRTC, BroadcastChannel and relay links live on the main thread) with the peer id the worker
// chose, and pumps its traffic to the worker over a MessagePort.
import { Emitter } from '../../src/core/emitter';
import { asPeerId } from '../../src/core/ids';
import { logger } from '../../src/core/log';
import { broadcastChannelLink } from '../../src/mesh/broadcast-channel';
import { leaveOnPageHide } from '../../src/mesh/page-lifecycle';
import { createMeshRoom, type MeshRoom } from '../../src/mesh/room/mesh-room';
import { meshProblemWords } from './problem-words';
import type { RoomLink } from '../../src/protocol/room-link';
import type { LinkFactory } from '../../src/mesh/room/links';
import { webRtcLink } from '../../src/mesh/webrtc';
import { loadIceSource, type IceSource } from '../../src/mesh/ice-source';
import { systemClock } from '../../src/core/clock';
import { wsRelayLink } from '../../src/mesh/ws-relay';
import { createMachineClient, type MachineCalls, type RoomPresence } from './machine-client';
import { serveRoomPort } from '../../src/mesh/port/port-host';
import { startMachineWorker, type StartedWorker } from './start-worker';
import type { MachineClient } from '../contract/room-view';
import { workerClock, type TimerPort } from '../worker-clock';

const log = logger('kinetic:workers:connect');

export interface ConnectOptions {
  /** ws(s)://…/signal; default: this page's origin. null: no server (tabs of this browser only, Web Locks election). */
  readonly signalingUrl?: string | null;
  /** Default: BroadcastChannel, WebRTC and the server relay (the relay and WebRTC only with a server). */
  readonly links?: readonly LinkFactory[];
  /** Default: the bundled machine worker. */
  readonly createWorker?: () => Worker;
  /** Default: the bundled timer worker (the room's timers survive background-tab throttling); null: main-thread timers. */
  readonly createTimerWorker?: (() => Worker) | null;
  /**
   * This tab creates the room ("Create a room"): it may start the room's history. Default false ("open a
   * link"): it joins the history there is (workers/room-history.ts says when it may start one by itself).
   */
  readonly newHistory?: boolean;
}

/** The mesh room's clock: timers in a worker when one can be started, else the main thread's. */
function roomClock(options: ConnectOptions): { clock?: ReturnType<typeof workerClock>; worker?: Worker } {
  if (options.createTimerWorker === null) return {};
  try {
    const worker = options.createTimerWorker?.() ?? new Worker(new URL('../timer.worker.ts', import.meta.url), { type: 'module' });
    return { worker, clock: workerClock(worker as unknown as TimerPort) };
  } catch (e) {
    log('timer worker unavailable; the room uses main-thread timers', e);
    return {};
  }
}

const defaultSignalingUrl = (): string => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
const peerKey = (room: string): string => `kinetic-mesh:peer:${room}`;

/** Open `link` in this tab: the app's `Connect` (see src/ui/session/connect.ts). */
export async function connectRoom(link: RoomLink, displayName: string, options: ConnectOptions = {}): Promise<MachineClient> {
  const signalingUrl = options.signalingUrl === undefined ? defaultSignalingUrl() : options.signalingUrl;
  const createWorker = options.createWorker ?? (() => new Worker(new URL('../machine.worker.ts', import.meta.url), { type: 'module' }));
  let started: StartedWorker | null = null;
  let room: MeshRoom | null = null;
  let timers: ReturnType<typeof roomClock> = {};
  let stopServing: (() => void) | null = null;
  let stopLeaving: (() => void) | null = null;
  let ice: IceSource | null = null;
  const flushOnHide = (): void => void started?.api.flush().catch((e: unknown) => log('flush on pagehide failed', e));
  // The client exists before the worker is open (it receives the first snapshots); its calls go to the
  // worker that opened, and the UI gets the client only after that.
  const worker = (): StartedWorker => {
    if (!started) throw new Error('the machine worker is not open yet');
    return started;
  };
  const calls: MachineCalls = {
    emit: (reactor, molecule, value) => worker().api.emit(reactor, molecule, value),
    call: (reactor, molecule, value, timeoutMs) => worker().api.call(reactor, molecule, value, timeoutMs),
    load: (reactor) => worker().api.load(reactor),
    unload: (reactor) => worker().api.unload(reactor),
    setDisplayName: (name) => worker().api.setDisplayName(name),
    startNewHistory: () => worker().api.startNewHistory(),
  };
  const presenceEvents = new Emitter<{ members: undefined; signaling: undefined }>();
  const presence: RoomPresence = {
    members: () => room?.members() ?? [],
    get signaling() {
      return room?.signaling ?? 'connecting';
    },
    get problem() {
      return meshProblemWords(room?.problem ?? null);
    },
    setName: (name) => room?.setDisplayName(name),
    // The client subscribes now; the room exists only once the worker has chosen the peer id.
    on: (event, listener) => presenceEvents.on(event, listener),
  };
  const client = createMachineClient({
    calls,
    presence,
    async shutdown() {
      removeEventListener('pagehide', flushOnHide);
      stopLeaving?.();
      await started?.api.close().catch((e: unknown) => log('worker close failed', e));
      await room?.disconnect();
      stopServing?.();
      started?.worker.terminate();
      started?.stopPool();
      ice?.dispose();
      timers.clock?.dispose();
      timers.worker?.terminate();
    },
  });

  try {
    const preferredPeer = readSession(peerKey(link.room));
    started = await startMachineWorker({
      create: createWorker,
      init: { room: link.room, displayName, preferredPeer, signaling: signalingUrl !== null, newHistory: options.newHistory ?? false },
      onSnapshot: (s) => client.pushSnapshot(s),
      onActivity: (items) => client.pushActivity(items),
      onStall: (attempt) => log(`the machine worker did not finish starting (attempt ${attempt}); starting a fresh one`),
    });
    const { peerId } = started;
    started.worker.addEventListener('error', (e) => {
      log('machine worker error', e.message);
      client.reportProblem(`The machine stopped working (${e.message || 'worker error'}). Reload the page to restart it.`);
    });
    writeSession(peerKey(link.room), peerId);
    timers = roomClock(options);
    // STUN/TURN from the signaling server (GET /ice), so peers on different networks can link directly.
    if (signalingUrl && !options.links) ice = await loadIceSource(signalingUrl, (u, init) => fetch(u, init), timers.clock ?? systemClock);
    const iceSource = ice;
    room = createMeshRoom({
      roomName: link.room,
      key: link.key,
      ...(signalingUrl ? { signalingUrl } : {}),
      peerId: asPeerId(peerId),
      displayName,
      links: options.links ?? (signalingUrl ? [broadcastChannelLink(), webRtcLink(iceSource ? { iceSettings: () => iceSource.current() } : {}), wsRelayLink()] : [broadcastChannelLink()]),
      ...(timers.clock ? { clock: timers.clock } : {}),
    });
    stopServing = serveRoomPort(started.port, room, room.lease, room.record).stop;
    room.on('members', () => presenceEvents.emit('members', undefined));
    room.on('signaling', () => presenceEvents.emit('signaling', undefined));
    presenceEvents.emit('members', undefined);
    stopLeaving = leaveOnPageHide(room, globalThis as unknown as Parameters<typeof leaveOnPageHide>[1]);
    addEventListener('pagehide', flushOnHide);
    // Ask the browser not to evict this origin's storage; never blocks opening the room.
    navigator.storage
      ?.persist?.()
      .then((p) => client.setStoragePersisted(p))
      .catch((e: unknown) => log('storage.persist() failed', e));
    return client;
  } catch (e) {
    await client.close().catch(() => undefined);
    throw e;
  }
}

function readSession(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null; // storage disabled: the identity lock still picks a free stored peer
  }
}

function writeSession(key: string, value: string): void {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    // storage disabled: a reload then takes the most recently used free identity instead
  }
}
