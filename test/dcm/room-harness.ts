// A harness for protocol schedules: one real room on the memory network (virtual clock, simulated lease),
// raw "probe" peers that send exactly the messages of a schedule and record the answers, and a store whose
// writes can be held back or failed. Used by the regression and mutation tests.
import { seededRandom } from '../../src/core/clock';
import { asPeerId, type PeerId } from '../../src/core/ids';
import type { ProtocolFaults } from '../../src/dcm/context';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import type { Message } from '../../src/dcm/messages';
import { createDistributedRoom, type DistributedRoom } from '../../src/dcm/room';
import { createMemoryNetwork, type MemoryNetwork, type MemoryTransport } from '../../src/mesh/memory';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from '../../src/store/memory';
import type { Store, StoreOp } from '../../src/store/store';
import { SimLeaseService } from '../sim/lease-service';
import { VirtualScheduler } from '../sim/scheduler';

/** A memory store whose writes can be held (they land on release, in order) or made to fail. */
export class HeldStore {
  readonly #inner: Store;
  readonly #held: (() => void)[] = [];
  holding = false;
  failing = 0;
  constructor(backing: MemoryBacking) {
    this.#inner = createMemoryStore(backing);
  }
  release(): void {
    this.holding = false;
    for (const f of this.#held.splice(0)) f();
  }
  get store(): Store {
    const batch = (ops: readonly StoreOp[]): Promise<void> => {
      if (this.failing > 0) {
        this.failing--;
        return Promise.reject(new Error('disk full'));
      }
      if (!this.holding) return this.#inner.batch(ops);
      return new Promise((resolve, reject) => this.#held.push(() => void this.#inner.batch(ops).then(resolve, reject)));
    };
    return { ...this.#inner, batch, save: (key, value) => batch([{ type: 'put', key, value }]) };
  }
}

export interface Probe {
  readonly id: PeerId;
  readonly got: Message[];
  send(to: PeerId, m: object): void;
}

export class World {
  readonly sched = new VirtualScheduler();
  readonly random = seededRandom(11);
  readonly network: MemoryNetwork = createMemoryNetwork({ clock: this.sched.clock(), random: this.random, faults: { minDelayMs: 0.2, maxDelayMs: 1 } });
  readonly lease = new SimLeaseService(this.sched, this.random, 600);
  readonly backing = createMemoryBacking();
  readonly held = new HeldStore(this.backing);
  readonly a = asPeerId('a');
  #alive = true;
  #transport: MemoryTransport | null = null;
  room!: DistributedRoom;
  /** Every message the room sent, in the order it handed them to its transport. */
  readonly sent: { readonly to: PeerId; readonly message: unknown }[] = [];

  constructor(readonly faults: ProtocolFaults = {}) {}

  async start(): Promise<DistributedRoom> {
    this.#alive = true;
    const alive = (): boolean => this.#alive;
    const clock = this.sched.clock(alive);
    const transport = (this.#transport = this.network.transport(this.a));
    const sent = this.sent;
    // The room's transport, recording what it sends (a memory link delivers after a random delay, so the
    // order of arrival at the probes is not the order of sending).
    const recording = new Proxy(transport, {
      get(target, key) {
        if (key === 'send') return (to: PeerId, message: unknown) => (sent.push({ to, message }), target.send(to, message));
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    this.room = createDistributedRoom({
      self: this.a,
      transport: recording,
      elector: createLeaseElector({ self: this.a, lease: this.lease.client(this.a, alive), clock }),
      store: this.held.store,
      clock,
      random: this.random,
      timings: { soloBootstrapMs: 50 },
      faults: this.faults,
    });
    await this.room.start();
    await this.#transport.connect();
    return this.room;
  }

  /** The process dies (no goodbye): its timers stop, its link drops; its store keeps what landed. */
  crash(): void {
    this.#alive = false;
    this.#transport?.crash();
  }

  probe(name: string): Probe {
    const id = asPeerId(name);
    const t = this.network.transport(id);
    const got: Message[] = [];
    t.on('message', ({ message }) => {
      const m = message as { type: string; messages?: Message[] };
      got.push(...(m.type === 'batch' ? (m.messages ?? []) : [m as Message]));
    });
    void t.connect();
    return { id, got, send: (to, m) => void t.send(to, { v: 1, ...m }) };
  }

  run(ms: number): Promise<void> {
    return this.sched.run(this.sched.now() + ms);
  }
}

export const promises = (p: Probe): Extract<Message, { type: 'promise' }>[] => p.got.filter((m): m is Extract<Message, { type: 'promise' }> => m.type === 'promise');
export const acks = (p: Probe): Extract<Message, { type: 'append-ack' }>[] => p.got.filter((m): m is Extract<Message, { type: 'append-ack' }> => m.type === 'append-ack');
