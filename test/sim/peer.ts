// One simulated peer process: machine + distributed room over the memory network, the simulated lease and
// a memory store whose backing outlives crashes (a restart keeps what was durably written, nothing else).
// The process can be given the faults real ones have: a store that is slow or fails (faulty-store.ts), a
// clock that runs fast or slow, a freeze (a suspended tab: no timers, no messages, then it wakes up
// believing what it believed), one-way link loss, frames over a size limit, a clean leave, and a store
// restored from an older copy.
import { createMachine } from '../../src/core/machine';
import type { LoadedReactor, Machine } from '../../src/core/machine-api';
import type { PeerId } from '../../src/core/ids';
import type { Clock, Random, TimerHandle } from '../../src/core/clock';
import type { ProtocolFaults, RoomTimings } from '../../src/dcm/context';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import { LOG_PREFIX, readRuns } from '../../src/dcm/log-runs';
import { createDistributedRoom, type DistributedRoom } from '../../src/dcm/room';
import type { ClaimMode } from '../../src/dcm/requester';
import type { LeaseClient } from '../../src/mesh/lease';
import { createMemoryNetwork, type MemoryNetwork, type MemoryTransport } from '../../src/mesh/memory';
import type { Transport, TransportEvents } from '../../src/mesh/transport';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from '../../src/store/memory';
import { faultyStore, type StoreFaults } from './faulty-store';
import type { SimLeaseService } from './lease-service';
import type { VirtualScheduler } from './scheduler';
import { simBroadcast, simChat, simCounter, simMapReduce } from './workloads';

export interface PeerWorld {
  readonly sched: VirtualScheduler;
  readonly network: MemoryNetwork;
  readonly lease: SimLeaseService;
  readonly random: Random;
  readonly timings: Partial<RoomTimings>;
  readonly faults: ProtocolFaults;
  readonly claimMode: ClaimMode;
  readonly mapCost: () => number;
  readonly storeFaults: () => StoreFaults;
  /** Messages whose JSON is longer than this are refused by the link (dropped, counted). */
  readonly maxFrameChars: number;
  observe(peer: SimPeer, room: DistributedRoom): void;
  onError(peer: PeerId, error: Error): void;
}

export class SimPeer {
  backing: MemoryBacking = createMemoryBacking();
  alive = false;
  boots = 0;
  room: DistributedRoom | null = null;
  machine: Machine | null = null;
  transport: MemoryTransport | null = null;
  reactors: { mapreduce: LoadedReactor; broadcast: LoadedReactor; counter: LoadedReactor; chat: LoadedReactor } | null = null;
  /** Clock rate (1 = true time) and offset of this process's clock. */
  clockRate = 1;
  clockOffset = 0;
  /** Frozen (a suspended tab) until this virtual time. */
  frozenUntil = -Infinity;
  /** Its signaling socket is down (died while frozen, reconnecting): no lease requests or notices until then. */
  leaseDeafUntil = -Infinity;
  /** Peers this one's messages do not reach (one-way link loss). */
  readonly blockedTo = new Set<string>();
  oversizeDropped = 0;
  /** A clean leave is in progress (the room is stopping): not settled yet. */
  leaving = false;
  /** It created the room: its first boot may start the room's history (`newHistory`); later boots never. */
  creator = false;
  readonly #held: (() => void)[] = [];

  constructor(
    readonly id: PeerId,
    readonly world: PeerWorld,
  ) {}

  get frozen(): boolean {
    return this.world.sched.now() < this.frozenUntil;
  }

  /** Run fn now, or on waking up if frozen (in order). */
  readonly gate = (fn: () => void): void => {
    if (!this.frozen) return fn();
    this.#held.push(fn);
  };

  /**
   * Suspend the process for `ms`: nothing it does happens until it wakes (then its timers fire late). With
   * `pauseClock` its clock stands still meanwhile (a machine that slept: monotonic clocks may pause), so it
   * wakes up believing its lease still runs — while the room has elected someone else. `reconnectMs`: its
   * signaling socket died meanwhile and takes this long after waking to come back (lease notices are lost).
   */
  freeze(ms: number, pauseClock = false, reconnectMs = 0): void {
    if (this.frozen) return;
    const start = this.world.sched.now();
    this.frozenUntil = start + ms;
    this.leaseDeafUntil = start + ms + reconnectMs;
    if (pauseClock) this.#pausedAt = this.clockOffset + start * this.clockRate;
    const boot = this.boots;
    const wake = (): void => {
      if (this.boots !== boot || !this.alive) return; // crashed while frozen: that process is gone
      if (this.#pausedAt !== null) {
        this.clockOffset -= (this.world.sched.now() - start) * this.clockRate;
        this.#pausedAt = null;
      }
      for (const fn of this.#held.splice(0)) fn();
    };
    this.world.sched.at(ms, wake);
  }
  #pausedAt: number | null = null;

  #clock(alive: () => boolean): Clock {
    const sched = this.world.sched;
    interface Handle {
      cancelled: boolean;
      event: { cancelled: boolean } | null;
    }
    return {
      now: () => this.#pausedAt ?? this.clockOffset + sched.now() * this.clockRate,
      setTimeout: (fn, ms) => {
        const h: Handle = { cancelled: false, event: null };
        const run = (): void => {
          if (!h.cancelled && alive()) fn();
        };
        h.event = sched.at(ms / this.clockRate, () => this.gate(run));
        return h as unknown as TimerHandle;
      },
      clearTimeout: (handle) => {
        const h = handle as unknown as Handle;
        h.cancelled = true;
        if (h.event) h.event.cancelled = true;
      },
    };
  }

  #transport(inner: MemoryTransport): MemoryTransport {
    const send = (to: PeerId, message: unknown, json?: string): boolean => {
      if (this.blockedTo.has(to)) return true; // lost on the way: the link still looks up
      if (this.world.maxFrameChars < Infinity && (json ?? JSON.stringify(message)).length > this.world.maxFrameChars) {
        this.oversizeDropped++;
        return true;
      }
      return inner.send(to, message);
    };
    return {
      ...inner,
      send: (to, message) => send(to, message),
      // As a real link takes the room's protocol messages: as text (its encoding: wire-encode.ts), parsed on
      // arrival, so the simulation runs what goes on the wire, not the sender's objects.
      sendEncoded: (to, json) => send(to, JSON.parse(json) as unknown, json),
      on: <K extends keyof TransportEvents>(event: K, listener: (payload: TransportEvents[K]) => void) =>
        inner.on(event, (payload) => this.gate(() => listener(payload))),
    };
  }

  #lease(inner: LeaseClient): LeaseClient {
    const deaf = (): boolean => this.world.sched.now() < this.leaseDeafUntil;
    return {
      requestLease: (min) => !deaf() && inner.requestLease(min),
      releaseLease: () => !deaf() && inner.releaseLease(),
      onLease: (listener) => inner.onLease((s) => !deaf() && this.gate(() => !deaf() && listener(s))),
      get online() {
        return inner.online;
      },
    };
  }

  async boot(): Promise<void> {
    const w = this.world;
    this.alive = true;
    const boot = ++this.boots;
    const alive = (): boolean => this.alive && this.boots === boot;
    const clock = this.#clock(alive);
    const transport = this.#transport(w.network.transport(this.id));
    const elector = createLeaseElector({ self: this.id, lease: this.#lease(w.lease.client(this.id, alive)), clock });
    const room = createDistributedRoom({
      self: this.id,
      transport: transport as Transport,
      elector,
      store: faultyStore(createMemoryStore(this.backing), w.sched, w.random, w.storeFaults, alive, this.gate),
      clock,
      random: w.random,
      timings: w.timings,
      faults: w.faults,
      claimMode: w.claimMode,
      newHistory: this.creator && boot === 1,
    });
    w.observe(this, room);
    room.on('error', (e) => w.onError(this.id, e));
    const machine = createMachine({ peerId: this.id, clock, random: w.random, distributed: room });
    machine.on('error', (e) => w.onError(this.id, e.error));
    const sleep = (ms: number): Promise<void> => new Promise((r) => clock.setTimeout(r, ms));
    this.reactors = {
      counter: machine.load(simCounter) as LoadedReactor,
      mapreduce: machine.load(simMapReduce(sleep, w.mapCost)) as LoadedReactor,
      broadcast: machine.load(simBroadcast(this.id)) as LoadedReactor,
      chat: machine.load(simChat(this.id)) as LoadedReactor,
    };
    this.room = room;
    this.machine = machine;
    this.transport = transport;
    await room.start();
    await transport.connect();
  }

  /** Whether this peer's store (what a crash keeps) holds `json` at log index `index`, or a snapshot past it. */
  stores(index: number, json: string): boolean {
    const snapshot = this.backing.entries.get('dcm/snapshot') as { index: number } | undefined;
    if (snapshot && snapshot.index >= index) return true;
    const base = snapshot?.index ?? 0;
    const records = [...this.backing.entries].filter(([k]) => k.startsWith(LOG_PREFIX)).sort(([a], [b]) => (a < b ? -1 : 1));
    const stored = readRuns(base, records).entries[index - base - 1];
    return stored !== undefined && JSON.stringify(stored) === json;
  }

  /** The process dies: no goodbye, no more timers, sends or writes. */
  crash(): void {
    if (!this.alive) return;
    this.alive = false;
    this.leaving = false; // a crash in the middle of a clean leave ends it
    this.transport?.crash();
    this.room = null;
    this.machine = null;
    this.reactors = null;
    this.#held.length = 0;
    this.frozenUntil = -Infinity;
    this.#pausedAt = null;
  }

  /** The tab closes cleanly: the room stops (a sequencer hands its vote back first), then the process ends. */
  async leave(): Promise<void> {
    const room = this.room;
    const transport = this.transport;
    if (!this.alive || !room || !transport || this.frozen) return;
    this.leaving = true;
    await room.stop().finally(() => (this.leaving = false));
    await transport.disconnect();
    this.crash();
  }

  /**
   * A second process of this peer on the same store (two tabs sharing one identity): the server refuses it
   * as a duplicate, so it runs offline — a network of its own and a lease service it cannot reach — and only
   * its store is shared. Its fail-stop on a newer promise of the first process is expected, not an error.
   */
  twin(): SimPeer {
    const w = this.world;
    const network = createMemoryNetwork({ clock: w.sched.clock(), random: w.random });
    const offline: LeaseClient = { requestLease: () => undefined, releaseLease: () => undefined, onLease: () => () => undefined, online: false };
    const lease = { client: () => offline } as unknown as SimLeaseService;
    const shared = (): MemoryBacking => this.backing;
    const twin = new SimPeer(this.id, {
      ...w,
      network,
      lease,
      onError: (peer, e) => {
        if (!/another process of this peer/.test(e.message)) w.onError(peer, e);
      },
    });
    Object.defineProperty(twin, 'backing', { get: shared, set: () => undefined });
    return twin;
  }

  /** A copy of the store as it is now (what a backup or a synced profile might later bring back). */
  copyStore(): MemoryBacking {
    return { entries: new Map(this.backing.entries) };
  }

  /** While down: the store goes back to an older copy. */
  restoreStore(copy: MemoryBacking): void {
    if (this.alive) throw new Error('restore a store only while its peer is down');
    this.backing = { entries: new Map(copy.entries) };
  }
}
