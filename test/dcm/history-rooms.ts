// Rooms on one memory network with one simulated lease, for the tests of named histories: each peer is a real
// distributed room that may or may not start a history (`newHistory`), crashes with its store kept, and
// restarts on it (or on a store brought from elsewhere).
import { seededRandom } from '../../src/core/clock';
import { asPeerId, type PeerId } from '../../src/core/ids';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import { createDistributedRoom, type DistributedRoom } from '../../src/dcm/room';
import type { RoomTimings } from '../../src/dcm/context';
import { createMemoryNetwork, type MemoryNetwork, type MemoryTransport } from '../../src/mesh/memory';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from '../../src/store/memory';
import { SimLeaseService } from '../sim/lease-service';
import { VirtualScheduler } from '../sim/scheduler';

export interface HistoryRoomsOptions {
  readonly seed: number;
  /** Upper bound of the network's random delay (the lower one is 0.2 ms). */
  readonly maxDelayMs: number;
  readonly timings: Partial<RoomTimings>;
}

export class HistoryRooms {
  readonly sched = new VirtualScheduler();
  readonly random: ReturnType<typeof seededRandom>;
  readonly network: MemoryNetwork;
  readonly lease: SimLeaseService;
  readonly backings = new Map<PeerId, MemoryBacking>();
  readonly rooms = new Map<PeerId, DistributedRoom>();
  readonly #timings: Partial<RoomTimings>;
  readonly #life = new Map<PeerId, { alive: boolean; transport: MemoryTransport }>();

  constructor(options: HistoryRoomsOptions) {
    this.random = seededRandom(options.seed);
    this.network = createMemoryNetwork({ clock: this.sched.clock(), random: this.random, faults: { minDelayMs: 0.2, maxDelayMs: options.maxDelayMs } });
    this.lease = new SimLeaseService(this.sched, this.random, 600);
    this.#timings = options.timings;
  }

  /** Start (or restart) `name` on its own store, or on `backing` when given (it becomes its store). */
  async start(name: string, newHistory: boolean, backing?: MemoryBacking): Promise<DistributedRoom> {
    const self = asPeerId(name);
    const life = { alive: true, transport: this.network.transport(self) };
    this.#life.set(self, life);
    const alive = (): boolean => life.alive;
    const clock = this.sched.clock(alive);
    const store = backing ?? this.backings.get(self) ?? createMemoryBacking();
    this.backings.set(self, store);
    const room = createDistributedRoom({
      self,
      transport: life.transport,
      elector: createLeaseElector({ self, lease: this.lease.client(self, alive), clock }),
      store: createMemoryStore(store),
      clock,
      random: this.random,
      timings: this.#timings,
      newHistory,
    });
    this.rooms.set(self, room);
    await room.start();
    await life.transport.connect();
    return room;
  }

  /** The tab closes without a goodbye: its store keeps what landed. */
  crash(name: string): void {
    const life = this.#life.get(asPeerId(name));
    if (!life?.alive) return;
    life.alive = false;
    life.transport.crash();
  }

  alive(name: string): boolean {
    return this.#life.get(asPeerId(name))?.alive ?? false;
  }

  room(name: string): DistributedRoom {
    const r = this.rooms.get(asPeerId(name));
    if (!r) throw new Error(`no room ${name}`);
    return r;
  }

  run(ms: number): Promise<void> {
    return this.sched.run(this.sched.now() + ms);
  }
}
