// In-memory network: N peers in one process, links and deliveries driven by an injected Clock and Random.
// It is the transport of the deterministic simulation and of fast unit tests, so it models what real
// links do to a protocol: per-message delay, loss, duplication, reordering, partitions that heal, a clean
// goodbye (seen at once) versus a crash (seen only after a heartbeat timeout), and in-flight messages that
// die with the link they were sent on. Nothing here reads real time or Math.random.
import type { Clock, Random } from '../core/clock';
import { Emitter } from '../core/emitter';
import type { PeerId } from '../core/ids';
import { TransportKind, type Transport, type TransportEvents } from './transport';

/** What the network does to messages. All delays in (virtual) milliseconds. */
export interface NetworkFaults {
  /** Delivery delay is uniform in [minDelayMs, maxDelayMs]. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Probability a message is silently lost. */
  readonly dropRate: number;
  /** Probability a message is delivered twice. */
  readonly duplicateRate: number;
  /** When false, messages between a pair arrive in send order (like an ordered data channel). */
  readonly reorder: boolean;
  /** How long until a peer notices a link that died without goodbye (heartbeat timeout). */
  readonly detectMs: number;
}

export const reliableFaults: NetworkFaults = {
  minDelayMs: 0,
  maxDelayMs: 0,
  dropRate: 0,
  duplicateRate: 0,
  reorder: false,
  detectMs: 0,
};

export interface MemoryNetworkOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly faults?: Partial<NetworkFaults>;
  /** Observe every delivery (simulation traces). */
  readonly onDeliver?: (from: PeerId, to: PeerId, message: unknown) => void;
}

/** A memory transport plus the fault a simulation can inject into its own peer. */
export interface MemoryTransport extends Transport {
  /** The process dies: no goodbye, other peers notice after `detectMs`. The instance is dead afterwards. */
  crash(): void;
}

export interface MemoryNetwork {
  /** A new transport for `peerId` (after a crash, call again to restart the peer with a fresh instance). */
  transport(peerId: PeerId): MemoryTransport;
  /** Split the network: peers in different groups cannot reach each other. Unlisted peers form one more group. */
  partition(groups: readonly (readonly PeerId[])[]): void;
  heal(): void;
  setFaults(faults: Partial<NetworkFaults>): void;
  readonly stats: { sent: number; delivered: number; dropped: number; duplicated: number };
}

interface Node {
  readonly id: PeerId;
  readonly events: Emitter<TransportEvents>;
  alive: boolean;
  joined: boolean;
  /** Peers this node currently believes it has a link to. */
  readonly view: Set<PeerId>;
  /** Cached array of `view` (peers() is called on every protocol tick). */
  peers: PeerId[] | null;
}

export function createMemoryNetwork(options: MemoryNetworkOptions): MemoryNetwork {
  const { clock, random } = options;
  let faults: NetworkFaults = { ...reliableFaults, ...options.faults };
  const nodes = new Map<PeerId, Node>();
  const group = new Map<PeerId, number>();
  // Bumped whenever the physical link between a pair goes down or comes up: messages sent on an older
  // link are lost, and link events of an older link are not reported.
  const linkGeneration = new Map<string, number>();
  const lastArrival = new Map<string, number>();
  const stats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };

  const pairKey = (a: PeerId, b: PeerId): string => (a < b ? `${a}|${b}` : `${b}|${a}`);
  const generation = (a: PeerId, b: PeerId): number => linkGeneration.get(pairKey(a, b)) ?? 0;
  const physicallyLinked = (a: Node, b: Node): boolean =>
    a !== b && a.alive && b.alive && a.joined && b.joined && (group.get(a.id) ?? 0) === (group.get(b.id) ?? 0);

  const notifyUp = (at: Node, other: PeerId): void => {
    const gen = generation(at.id, other);
    clock.setTimeout(() => {
      const peer = nodes.get(other);
      if (!at.alive || !peer || !physicallyLinked(at, peer) || generation(at.id, other) !== gen) return;
      // The old link's death was not noticed yet: report it now, then the new link.
      if (at.view.delete(other)) {
        at.peers = null;
        at.events.emit('peer-disconnected', { peerId: other, reason: 'replaced' });
      }
      at.view.add(other);
      at.peers = null;
      at.events.emit('peer-candidate', { peerId: other });
      at.events.emit('peer-connected', { peerId: other });
    }, delay());
  };

  const notifyDown = (at: Node, other: PeerId, reason: string, afterMs: number): void => {
    const gen = generation(at.id, other);
    clock.setTimeout(() => {
      // A newer link (up or down) since this cut reports for itself.
      if (!at.alive || !at.view.has(other) || generation(at.id, other) !== gen) return;
      at.view.delete(other);
      at.peers = null;
      at.events.emit('peer-disconnected', { peerId: other, reason });
    }, afterMs);
  };

  const cut = (a: Node, b: Node, reason: string, detectA: number, detectB: number): void => {
    const key = pairKey(a.id, b.id);
    linkGeneration.set(key, generation(a.id, b.id) + 1);
    notifyDown(a, b.id, reason, detectA);
    notifyDown(b, a.id, reason, detectB);
  };

  /** Re-evaluate every pair after membership or partition changes. */
  const relink = (before: Map<string, boolean>, reason: string): void => {
    for (const a of nodes.values()) {
      for (const b of nodes.values()) {
        if (a.id >= b.id) continue;
        const was = before.get(pairKey(a.id, b.id)) ?? false;
        const now = physicallyLinked(a, b);
        if (!was && now) {
          linkGeneration.set(pairKey(a.id, b.id), generation(a.id, b.id) + 1);
          notifyUp(a, b.id);
          notifyUp(b, a.id);
        } else if (was && !now) {
          cut(a, b, reason, faults.detectMs, faults.detectMs);
        }
      }
    }
  };

  const snapshotLinks = (): Map<string, boolean> => {
    const m = new Map<string, boolean>();
    for (const a of nodes.values()) for (const b of nodes.values()) if (a.id < b.id) m.set(pairKey(a.id, b.id), physicallyLinked(a, b));
    return m;
  };

  const delay = (): number => faults.minDelayMs + random.next() * (faults.maxDelayMs - faults.minDelayMs);

  const deliver = (from: Node, to: PeerId, message: unknown): void => {
    const key = `${from.id}>${to}`;
    const gen = generation(from.id, to);
    let at = clock.now() + delay();
    if (!faults.reorder) at = Math.max(at, lastArrival.get(key) ?? 0);
    lastArrival.set(key, at);
    let copy: unknown;
    try {
      copy = structuredClone(message);
    } catch {
      // Like a real link's encoder (framing.ts): a value that cannot be copied (too deep, a function) is one
      // message lost, never an exception in the sender.
      stats.dropped++;
      return;
    }
    clock.setTimeout(() => {
      const target = nodes.get(to);
      if (!target || !physicallyLinked(from, target) || generation(from.id, to) !== gen || !target.view.has(from.id)) {
        stats.dropped++;
        return;
      }
      stats.delivered++;
      options.onDeliver?.(from.id, to, copy);
      target.events.emit('message', { from: from.id, message: copy });
    }, at - clock.now());
  };

  function transport(peerId: PeerId): MemoryTransport {
    const previous = nodes.get(peerId);
    if (previous?.alive) throw new Error(`memory network: peer ${peerId} is already running`);
    const node: Node = { id: peerId, events: new Emitter<TransportEvents>(), alive: true, joined: false, view: new Set(), peers: null };
    nodes.set(peerId, node);
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));

    return {
      kind: TransportKind.Memory,
      self: peerId,
      connect() {
        if (!node.alive) return Promise.reject(new Error(`memory transport ${peerId} was crashed`));
        if (!node.joined) {
          const before = snapshotLinks();
          node.joined = true;
          relink(before, 'link');
        }
        markReady();
        return ready;
      },
      whenReady: () => ready,
      peers: () => node.peers ?? (node.peers = [...node.view]),
      send(to, message) {
        if (!node.alive || !node.view.has(to)) return false;
        stats.sent++;
        if (random.next() < faults.dropRate) {
          stats.dropped++;
          return true;
        }
        deliver(node, to, message);
        if (random.next() < faults.duplicateRate) {
          stats.duplicated++;
          deliver(node, to, message);
        }
        return true;
      },
      async disconnect() {
        if (!node.joined || !node.alive) return;
        const before = snapshotLinks();
        node.joined = false;
        // A goodbye is seen at once by the others (clean close); this side forgets its links now.
        for (const other of nodes.values()) {
          if (before.get(pairKey(peerId, other.id))) cut(node, other, 'goodbye', 0, delay());
        }
      },
      crash() {
        if (!node.alive) return;
        const before = snapshotLinks();
        node.alive = false;
        node.events.clear();
        relink(before, 'timeout');
      },
      on: (event, listener) => node.events.on(event, listener),
    };
  }

  return {
    transport,
    partition(groups) {
      const before = snapshotLinks();
      group.clear();
      groups.forEach((g, i) => g.forEach((p) => group.set(p, i + 1)));
      relink(before, 'partition');
    },
    heal() {
      const before = snapshotLinks();
      group.clear();
      relink(before, 'heal');
    },
    setFaults(f) {
      faults = { ...faults, ...f };
    },
    stats,
  };
}
