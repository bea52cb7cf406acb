// A small deterministic room for attack tests: honest peers (real createDistributedRoom over the memory
// network, the simulated signaling lease, one virtual clock) plus raw transports an attacker drives by hand.
// Everything derives from the seed, so each attack replays exactly.
import { seededRandom } from '../../src/core/clock';
import { asPeerId, type PeerId, type ReactorId } from '../../src/core/ids';
import { createLeaseElector } from '../../src/dcm/electors/lease';
import type { DistributedRoom } from '../../src/dcm/room';
import type { LeaseClient } from '../../src/mesh/lease';
import { createMemoryNetwork, type MemoryTransport } from '../../src/mesh/memory';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { createDistributedRoom } from '../../src/dcm/room';
import { SimLeaseService } from '../sim/lease-service';
import { VirtualScheduler } from '../sim/scheduler';

export interface Honest {
  readonly id: PeerId;
  readonly room: DistributedRoom;
  readonly backing: MemoryBacking;
  readonly transport: MemoryTransport;
  alive: boolean;
}

/** Every message a raw transport received, unwrapped from batches. */
export interface Heard {
  readonly from: PeerId;
  readonly message: Record<string, unknown> & { type: string };
}

export function attackWorld(seed = 1) {
  const sched = new VirtualScheduler();
  const random = seededRandom(seed);
  const clock = sched.clock();
  const network = createMemoryNetwork({ clock, random, faults: { minDelayMs: 0.2, maxDelayMs: 1 } });
  const lease = new SimLeaseService(sched, random, 600);
  const timings = { heartbeatMs: 50, resendMs: 100, claimTtlMs: 300, removeAfterMs: 400, bootstrapAfterMs: Infinity };

  /** `candidate: false`: the peer follows the lease but never asks for it (an attacker that must not lead). */
  function honest(name: string, backing: MemoryBacking = createMemoryBacking(), wrap: (s: Store) => Store = (s) => s, candidate = true): Honest {
    const id = asPeerId(name);
    const transport = network.transport(id);
    const client = (inner: LeaseClient): LeaseClient =>
      candidate
        ? inner
        : { requestLease: () => undefined, releaseLease: () => inner.releaseLease(), onLease: (l) => inner.onLease(l), get online() { return inner.online; } };
    const peer: Honest = {
      id,
      backing,
      transport,
      alive: true,
      room: createDistributedRoom({
        self: id,
        transport,
        elector: createLeaseElector({ self: id, lease: client(lease.client(id, () => peer.alive)), clock }),
        store: wrap(createMemoryStore(backing)),
        clock,
        random,
        timings,
      }),
    };
    return peer;
  }

  /** A raw transport for an attacker: what it hears, and a send that takes any JSON. */
  function raw(name: string): { id: PeerId; heard: Heard[]; send: (to: PeerId, m: unknown) => void; toAll: (m: unknown) => void; transport: MemoryTransport } {
    const id = asPeerId(name);
    const transport = network.transport(id);
    const heard: Heard[] = [];
    transport.on('message', ({ from, message }) => {
      const m = message as { type?: string; messages?: unknown[] };
      for (const one of m.type === 'batch' ? (m.messages ?? []) : [m]) heard.push({ from, message: one as Heard['message'] });
    });
    void transport.connect();
    return {
      id,
      heard,
      transport,
      send: (to, m) => transport.send(to, m as never),
      toAll: (m) => {
        for (const p of transport.peers()) transport.send(p, m as never);
      },
    };
  }

  return { sched, random, clock, network, lease, timings, honest, raw, run: (ms: number) => sched.run(sched.now() + ms) };
}

/** The honest room of a peer that serves as sequencer, and the others. */
export function roles(peers: readonly Honest[]): { sequencer: Honest; replicas: Honest[] } {
  const sequencer = peers.find((p) => p.room.status().role === 'sequencer');
  if (!sequencer) throw new Error(`no sequencer: ${JSON.stringify(peers.map((p) => p.room.status()))}`);
  return { sequencer, replicas: peers.filter((p) => p !== sequencer) };
}

/** Three honest peers started and linked, one raw attacker transport `x`, and who leads once elected. */
export async function room3(seed: number) {
  const w = attackWorld(seed);
  const peers = ['p1', 'p2', 'p3'].map((n) => w.honest(n));
  for (const p of peers) {
    await p.room.start();
    await p.transport.connect();
  }
  const x = w.raw('x');
  await w.run(1500);
  return { w, peers, x, ...roles(peers) };
}

/** Emit, claim and commit one `n` copy of `reactor` on `by`, settling the given times: the room still makes progress. */
export async function consumeOne(
  w: ReturnType<typeof attackWorld>,
  by: Honest,
  reactor: ReactorId,
  value: number,
  settle: { readonly afterEmitMs: number; readonly afterCommitMs: number },
): Promise<boolean> {
  by.room.emit(reactor, 'n', value);
  await w.run(settle.afterEmitMs);
  const copy = by.room.peek(reactor, 'n').find((m) => m.value === value);
  if (!copy) return false;
  const grant = await by.room.claim(reactor, 'take', [copy.id]);
  if (!grant) return false;
  const done = by.room.commit(grant, []);
  await w.run(settle.afterCommitMs);
  return done;
}

