// Who votes: the sequencer changes the configuration one member at a time (Raft's single-server change,
// with the fix that a change waits until the term's first entry is committed), so any majority of the old
// configuration overlaps any majority of the new one. Tabs come and go: a peer that says goodbye is removed
// at once; one that vanished is removed after `removeAfterMs`; a connected peer that has caught up is added.
import type { PeerId } from '../core/ids';
import type { RoomContext } from './context';

export class Membership {
  readonly #ctx: RoomContext;
  /** Peers that said goodbye (learned by any peer, handed over to each new sequencer). */
  readonly #left: Set<PeerId>;
  readonly #unreachableSince = new Map<PeerId, number>();
  readonly #lastHeard = new Map<PeerId, number>();
  /** This sequencer is shutting down cleanly: remove itself first so the rest keep a working majority. */
  leaving = false;

  constructor(ctx: RoomContext, left: ReadonlySet<PeerId>) {
    this.#ctx = ctx;
    this.#left = new Set(left);
  }

  heard(p: PeerId): void {
    this.#lastHeard.set(p, this.#ctx.clock.now());
    this.#left.delete(p);
  }

  gone(p: PeerId, left: boolean, now: number): void {
    if (left) this.#left.add(p);
    if (!this.#unreachableSince.has(p)) this.#unreachableSince.set(p, now);
  }

  /**
   * The next configuration to propose, or null. `settled`: an entry of this term is committed;
   * `match(p)`: how far p's log is known to match ours.
   */
  next(now: number, settled: boolean, match: (p: PeerId) => number): PeerId[] | null {
    const { rlog, self, timings } = this.#ctx;
    const replica = rlog.replica;
    // One change at a time: the previous configuration must be committed before the next is proposed.
    if (!settled || replica.membersInEffect !== replica.members) return null;
    const members = replica.members;
    const connected = new Set(this.#ctx.peers());
    for (const p of members) {
      if (p === self || connected.has(p)) this.#unreachableSince.delete(p);
      else if (!this.#unreachableSince.has(p)) this.#unreachableSince.set(p, now);
    }
    if (this.leaving && members.includes(self) && members.length > 1) return members.filter((p) => p !== self);
    // Never the last member: an empty configuration has no majority (nothing commits) and a later candidate
    // would take it for "no history" — a sequencer outside its configuration adds itself first (below).
    for (const p of members) {
      if (p === self || members.length === 1) continue;
      const since = this.#unreachableSince.get(p);
      if (this.#left.has(p) || (since !== undefined && now - since >= timings.removeAfterMs)) return members.filter((m) => m !== p);
    }
    if (!this.leaving && !members.includes(self)) return [...members, self];
    for (const p of connected) {
      if (members.includes(p) || this.#left.has(p)) continue;
      const heard = this.#lastHeard.get(p) ?? -Infinity;
      // Only a replica that holds the committed log and answered recently joins the quorum, so adding it
      // never makes commits wait for a stranger's catch-up.
      if (match(p) >= rlog.commitIndex && now - heard <= timings.removeAfterMs) return [...members, p];
    }
    return null;
  }
}
