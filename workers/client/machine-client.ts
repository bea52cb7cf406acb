// The UI's MachineClient: calls go to the machine worker (comlink); views come from the worker's snapshots
// joined with what only the main thread knows (membership, links, RTT, signaling — the mesh room). Views are
// composed at most every `intervalMs` (default 100 ms, so ≤ 10/s) however busy the machine is, and a new
// subscriber gets the latest view at once.
import type { PeerId } from '../../src/core/ids';
import { waitingForQuorum } from '../../src/dcm/quorum-wait';
import type { MachineSnapshot } from '../contract/machine-snapshot';
import type { ActivityItem, MachineClient, PeerStateName, PeerView, RoomView } from '../contract/room-view';

/** What the client calls in the worker (the comlink-wrapped MachineWorkerApi, minus `open`). */
export interface MachineCalls {
  emit(reactor: string, molecule: string, value?: unknown): Promise<void>;
  call(reactor: string, molecule: string, value?: unknown, timeoutMs?: number): Promise<unknown>;
  load(reactor: string): Promise<void>;
  unload(reactor: string): Promise<void>;
  setDisplayName(name: string): Promise<void>;
  startNewHistory(): Promise<void>;
}

/** One member of the room as the mesh reports it. */
export interface PresenceMember {
  readonly id: PeerId;
  readonly name: string;
  readonly state: PeerStateName;
  readonly link: PeerView['link'];
  readonly rttMs: number | null;
  readonly isSelf: boolean;
}

/** The main thread's view of the room (the mesh Room satisfies it). */
export interface RoomPresence {
  members(): readonly PresenceMember[];
  readonly signaling: RoomView['signaling'];
  readonly problem: string | null;
  setName?(name: string): void;
  on(event: 'members' | 'signaling', listener: () => void): () => void;
}

export interface MachineClientOptions {
  readonly calls: MachineCalls;
  readonly presence: RoomPresence | null;
  /** Tear everything down (worker, room); called once by close(). */
  readonly shutdown: () => Promise<void>;
  readonly intervalMs?: number;
}

/** The client plus the inlets the connect glue feeds from the worker. */
export interface MachineClientHandle extends MachineClient {
  pushSnapshot(snapshot: MachineSnapshot): void;
  pushActivity(items: ActivityItem[]): void;
  setStoragePersisted(persisted: boolean): void;
  /** A main-thread problem the worker cannot report itself (the worker crashed). */
  reportProblem(problem: string): void;
}

export function createMachineClient(options: MachineClientOptions): MachineClientHandle {
  const { calls, presence } = options;
  const intervalMs = options.intervalMs ?? 100;
  const viewListeners = new Set<(v: RoomView) => void>();
  const activityListeners = new Set<(items: ActivityItem[]) => void>();
  let snapshot: MachineSnapshot | null = null;
  let view: RoomView | null = null;
  let persisted = false;
  let mainProblem: string | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = -Infinity;
  let closed = false;

  const compose = (s: MachineSnapshot): RoomView => {
    const members = presence?.members() ?? [];
    const peers: PeerView[] = (members.length ? members : [{ id: s.self, name: s.displayName, state: 'running', link: 'self', rttMs: 0, isSelf: true } as const]).map((m) => ({
      id: m.id,
      name: m.isSelf ? s.displayName || m.name : m.name,
      state: m.state,
      link: m.link,
      rttMs: m.rttMs,
      reactors: s.hosts[m.id] ?? [],
      isSequencer: m.id === s.sequencer,
      isSelf: m.isSelf,
    }));
    return {
      room: s.room,
      self: s.self,
      displayName: s.displayName,
      signaling: presence?.signaling ?? 'offline',
      problem: mainProblem ?? s.storageError ?? s.problem ?? presence?.problem ?? null,
      sequencer: s.sequencer,
      isSequencer: s.sequencer === s.self && s.role === 'sequencer',
      waitingFor: waitingFor(s, members),
      epoch: s.epoch,
      peers,
      reactors: s.reactors,
      molecules: s.molecules,
      claims: s.claims,
      outbox: s.outbox,
      storage: { persisted, error: s.storageError },
      history: s.history,
    };
  };

  const publish = (): void => {
    timer = null;
    if (!snapshot || closed) return;
    last = performance.now();
    view = compose(snapshot);
    for (const l of viewListeners) l(view);
  };
  const schedule = (): void => {
    if (timer || closed) return;
    timer = setTimeout(publish, Math.max(0, last + intervalMs - performance.now()));
  };
  const offs = presence ? [presence.on('members', schedule), presence.on('signaling', schedule)] : [];

  const live = (): void => {
    if (closed) throw new Error('the machine client is closed');
  };

  return {
    subscribe(listener) {
      viewListeners.add(listener);
      if (view) listener(view);
      return () => viewListeners.delete(listener);
    },
    onActivity(listener) {
      activityListeners.add(listener);
      return () => activityListeners.delete(listener);
    },
    async emit(reactor, molecule, value) {
      live();
      await calls.emit(reactor, molecule, value);
    },
    async call<R>(reactor: string, molecule: string, value?: unknown, timeoutMs?: number): Promise<R> {
      live();
      return (await calls.call(reactor, molecule, value, timeoutMs)) as R;
    },
    load: async (reactor) => (live(), calls.load(reactor)),
    unload: async (reactor) => (live(), calls.unload(reactor)),
    async setDisplayName(name) {
      live();
      presence?.setName?.(name);
      await calls.setDisplayName(name);
    },
    startNewHistory: async () => (live(), calls.startNewHistory()),
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      for (const off of offs) off();
      viewListeners.clear();
      activityListeners.clear();
      await options.shutdown();
    },
    pushSnapshot(s) {
      snapshot = s;
      schedule();
    },
    pushActivity(items) {
      for (const l of activityListeners) l(items);
    },
    setStoragePersisted(p) {
      persisted = p;
      schedule();
    },
    reportProblem(problem) {
      mainProblem = problem;
      schedule();
    },
  };
}

/** The configuration members the room waits for (see waitingForQuorum). */
function waitingFor(s: MachineSnapshot, members: readonly PresenceMember[]): PeerId[] {
  const online = new Set<PeerId>([s.self, ...members.filter((m) => m.state !== 'down' && m.state !== 'stopped' && m.state !== 'misbehaving').map((m) => m.id)]);
  return waitingForQuorum(s.members, online);
}
