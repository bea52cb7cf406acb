// Which links reach each peer, best first. Sending tries them in rank order, so a peer moves to a better link
// the moment it comes up and falls back (relay) the moment it fails.
import type { PeerId } from '../../core/ids';
import type { TransportKind } from '../transport';
import { isDroppable, isSeverable, linkKindOf, rankOf } from './links';
import type { Transport } from '../transport';

export class LinkRoutes {
  readonly #routes = new Map<PeerId, Transport[]>();

  has(peer: PeerId): boolean {
    return this.#routes.has(peer);
  }

  peers(): PeerId[] {
    return [...this.#routes.keys()];
  }

  kinds(peer: PeerId): TransportKind[] {
    return (this.#routes.get(peer) ?? []).map(linkKindOf);
  }

  /** Record a link up; true when it is the peer's first. */
  add(peer: PeerId, link: Transport): boolean {
    const routes = this.#routes.get(peer);
    if (!routes) {
      this.#routes.set(peer, [link]);
      return true;
    }
    if (!routes.includes(link)) routes.push(link);
    routes.sort((a, b) => rankOf(a.kind) - rankOf(b.kind));
    return false;
  }

  /** Record a link down; true when the peer has no link left. */
  remove(peer: PeerId, link: Transport): boolean {
    const routes = this.#routes.get(peer);
    if (!routes) return false;
    const left = routes.filter((l) => l !== link);
    if (left.length) this.#routes.set(peer, left);
    else this.#routes.delete(peer);
    return left.length === 0;
  }

  /** A room frame, or the JSON text of one (sent as text where the link takes text, else decoded). */
  send(peer: PeerId, frame: object | string): boolean {
    for (const link of this.#routes.get(peer) ?? []) if (typeof frame !== 'string' ? link.send(peer, frame) : link.sendEncoded ? link.sendEncoded(peer, frame) : link.send(peer, JSON.parse(frame))) return true;
    return false;
  }

  /** Tear down links that would otherwise linger until ICE notices (10-30 s); they are re-made if the peer returns. */
  /** Cut a misbehaving peer off every link: direct ones close, shared ones (the relay) stop carrying it. */
  cutOff(peer: PeerId, reason: string): void {
    for (const link of [...(this.#routes.get(peer) ?? [])]) {
      if (isDroppable(link)) link.drop(peer, reason);
      else if (isSeverable(link)) link.sever(peer, reason);
    }
  }

  drop(peer: PeerId, reason: string): void {
    for (const link of this.#routes.get(peer) ?? []) if (isDroppable(link)) link.drop(peer, reason);
  }

  clear(): void {
    this.#routes.clear();
  }
}
