// Reactor catalog sync (KOS `sync`): peers tell each other which reactors they host — id, name, version,
// molecule names and kinds, never code — so every peer knows who can run what. A peer never runs code it
// received: a peer that does not host a reactor can still emit into it, and a host runs the reaction.
import type { ReactorInfo } from '../core/distributed-port';
import type { PeerId, ReactorId } from '../core/ids';

/** Reactors whose hosts are remembered at most (the cache is cleared past it). */
const MAX_CACHED_REACTORS = 1024;

export class Catalog {
  readonly #self: PeerId;
  readonly #local = new Map<ReactorId, ReactorInfo>();
  readonly #remote = new Map<PeerId, readonly ReactorInfo[]>();
  /**
   * hostsOf's answers until the catalog changes: affinity asks for every copy that appears (twice per
   * increment of a counter), and building the list walked every peer's announcement each time.
   */
  readonly #hostsOf = new Map<ReactorId, readonly PeerId[]>();

  constructor(self: PeerId) {
    this.#self = self;
  }

  /** Single-instance rule: one peer hosts a reactor id at most once. */
  host(info: ReactorInfo): void {
    if (this.#local.has(info.id)) throw new Error(`reactor ${info.name} (${info.id}) is already hosted by this peer`);
    this.#local.set(info.id, info);
    this.#hostsOf.clear();
  }

  unhost(id: ReactorId): boolean {
    this.#hostsOf.clear();
    return this.#local.delete(id);
  }

  hosts(id: ReactorId): boolean {
    return this.#local.has(id);
  }

  /** What we announce. */
  local(): ReactorInfo[] {
    return [...this.#local.values()];
  }

  /** A peer's announcement replaces what we knew about it. */
  learn(peer: PeerId, reactors: readonly ReactorInfo[]): void {
    this.#remote.set(peer, reactors);
    this.#hostsOf.clear();
  }

  forget(peer: PeerId): void {
    this.#remote.delete(peer);
    this.#hostsOf.clear();
  }

  /** Peers (this one included) hosting `id`: the ones that can run its reactions. */
  hostsOf(id: ReactorId): readonly PeerId[] {
    const known = this.#hostsOf.get(id);
    if (known) return known;
    const out: PeerId[] = this.#local.has(id) ? [this.#self] : [];
    for (const [peer, rs] of this.#remote) if (rs.some((r) => r.id === id)) out.push(peer);
    // Bounded: a peer may emit into any number of reactor ids nobody hosts.
    if (this.#hostsOf.size >= MAX_CACHED_REACTORS) this.#hostsOf.clear();
    this.#hostsOf.set(id, out);
    return out;
  }

  /** Every reactor known in the room, with its hosts. */
  entries(): { info: ReactorInfo; hostedBy: PeerId[] }[] {
    const byId = new Map<ReactorId, { info: ReactorInfo; hostedBy: PeerId[] }>();
    const add = (peer: PeerId, info: ReactorInfo): void => {
      const e = byId.get(info.id) ?? { info, hostedBy: [] };
      e.hostedBy.push(peer);
      byId.set(info.id, e);
    };
    for (const info of this.#local.values()) add(this.#self, info);
    for (const [peer, rs] of this.#remote) for (const info of rs) add(peer, info);
    return [...byId.values()];
  }
}
