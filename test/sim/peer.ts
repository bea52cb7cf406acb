// One simulated peer process: machine + distributed room over the memory network, the simulated lease and
// a memory store whose backing outlives crashes (a restart keeps what was durably written, nothing else).
import { createMachine } from '../../src/core/machine';
import type { LoadedReactor, Machine } from '../../src/core/machine-api';
import type { PeerId } from '../../src/core/ids';
import type { Random } from '../../src/core/clock';
import type { ProtocolFaults, RoomTimings } from '../../src/dcm/context';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import { logKey } from '../../src/dcm/persistence';
import { createDistributedRoom, type DistributedRoom } from '../../src/dcm/room';
import type { ClaimMode } from '../../src/dcm/requester';
import type { MemoryNetwork, MemoryTransport } from '../../src/mesh/memory';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
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
  observe(peer: SimPeer, room: DistributedRoom): void;
  onError(peer: PeerId, error: Error): void;
}

/** A store that stops dead when its process dies: later calls never settle and never write. */
function mortalStore(store: Store, alive: () => boolean): Store {
  const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
  return {
    load: (k) => (alive() ? store.load(k) : never()),
    save: (k, v) => (alive() ? store.save(k, v) : never()),
    remove: (k) => (alive() ? store.remove(k) : never()),
    range: (p) => (alive() ? store.range(p) : never()),
    batch: (ops) => (alive() ? store.batch(ops) : never()),
    close: () => store.close(),
  };
}

export class SimPeer {
  readonly backing: MemoryBacking = createMemoryBacking();
  alive = false;
  boots = 0;
  room: DistributedRoom | null = null;
  machine: Machine | null = null;
  transport: MemoryTransport | null = null;
  reactors: { mapreduce: LoadedReactor; broadcast: LoadedReactor; counter: LoadedReactor; chat: LoadedReactor } | null = null;

  constructor(
    readonly id: PeerId,
    readonly world: PeerWorld,
  ) {}

  async boot(): Promise<void> {
    const w = this.world;
    this.alive = true;
    const boot = ++this.boots;
    const alive = (): boolean => this.alive && this.boots === boot;
    const clock = w.sched.clock(alive);
    const transport = w.network.transport(this.id);
    const elector = createLeaseElector({ self: this.id, lease: w.lease.client(this.id, alive), clock });
    const room = createDistributedRoom({
      self: this.id,
      transport,
      elector,
      store: mortalStore(createMemoryStore(this.backing), alive),
      clock,
      random: w.random,
      timings: w.timings,
      faults: w.faults,
      claimMode: w.claimMode,
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
    const stored = this.backing.entries.get(logKey(index));
    return stored !== undefined && JSON.stringify(stored) === json;
  }

  /** The process dies: no goodbye, no more timers, sends or writes. */
  crash(): void {
    if (!this.alive) return;
    this.alive = false;
    this.transport?.crash();
    this.room = null;
    this.machine = null;
    this.reactors = null;
  }
}
