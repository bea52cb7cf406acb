// Liveness whose idle cost is linear in the room. Peers sit on a ring sorted by id; each keeps only its
// `neighbors` predecessors and successors warm — a ping when it has sent them nothing for half a heartbeat
// (any frame counts as heard, so a busy link never pings) — and drops a neighbour silent for `deadAfterMs`.
// Every peer has two watchers (its two sides). A watcher that drops a peer tells the rest (`dn`): reports
// from both watchers drop it at once (a crash: ≤ deadAfterMs + one heartbeat); a single report (a watcher
// whose own loop fell behind, or two neighbours crashed together) makes it a suspect that must answer an
// echo within `suspectMs` — the suspect's own echo stands in for SWIM's indirect probes. A peer dropped by
// mistake answers the revive probes and is back within a heartbeat. Faster paths stay in front: a goodbye,
// and a link going down — the signaling server closing a relay socket the moment the process dies — with
// no other link left (with links left, the peer must answer over them within `suspectMs`).
import type { PeerId } from '../core/ids';
import type { LivenessOptions, MemberRecord } from './room/members';
import type { RoomFrame } from './room/wire';

/** One ping in this many to a neighbour asks for an echo (RTT for the UI). */
const ECHO_EVERY = 8;

/** What the liveness check needs from its room. */
export interface LivenessIo {
  /** A route to the peer exists (some link is up). */
  routed(peer: PeerId): boolean;
  /** Send a room frame; false when no link could take it. */
  send(peer: PeerId, frame: RoomFrame): boolean;
  /** Drop the peer as gone. */
  drop(peer: PeerId, reason: string): void;
}

/** The `k` peers on each side of `self` on the ring of `self` and `others` sorted by id. */
export function ringNeighbors(self: PeerId, others: readonly PeerId[], k: number): Set<PeerId> {
  if (others.length <= 2 * k) return new Set(others);
  const ring = [...others, self].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const at = ring.indexOf(self);
  const out = new Set<PeerId>();
  for (let d = 1; d <= k; d++) {
    out.add(ring[(at + d) % ring.length] as PeerId);
    out.add(ring[(at - d + ring.length) % ring.length] as PeerId);
  }
  return out;
}

export class Liveness {
  readonly #self: PeerId;
  readonly #o: LivenessOptions;
  #ring = new Set<PeerId>();
  #lastTick: number | null = null;
  #lastSample = -Infinity;
  #sampleAt = 0;

  constructor(self: PeerId, options: LivenessOptions) {
    this.#self = self;
    this.#o = options;
  }

  /** Is `peer` one of the ring neighbours we keep warm (as of the last tick)? */
  isNeighbor(peer: PeerId): boolean {
    return this.#ring.has(peer);
  }

  /**
   * One heartbeat. `records`: every peer the room knows. Returns the peers this tick dropped by silence
   * (the room tells the others with `dn`).
   */
  tick(now: number, records: Iterable<MemberRecord>, io: LivenessIo): PeerId[] {
    const o = this.#o;
    // Our own event loop stalled (a long task, a frozen tab): frames that arrived meanwhile are still
    // queued behind this timer, so this tick judges nobody; the next one sees them processed.
    const stalled = this.#lastTick !== null && now - this.#lastTick > 2 * o.heartbeatMs;
    this.#lastTick = now;
    const all = [...records];
    const live = all.filter((r) => r.alive && io.routed(r.id));
    this.#ring = ringNeighbors(
      this.#self,
      live.map((r) => r.id),
      o.neighbors,
    );
    const dropped: PeerId[] = [];
    for (const r of all) {
      if (!io.routed(r.id)) continue;
      if (!r.alive) {
        // Keep probing a dropped peer while a link to it exists: if it was only frozen (or dropped on a
        // wrong report), its answer revives it — and ours revives us on its side.
        this.#ping(r, now, io, true);
        continue;
      }
      const why = this.#verdict(r, now, stalled);
      if (why) {
        io.drop(r.id, why);
        if (why === HEARTBEAT_TIMEOUT) dropped.push(r.id);
      } else if (this.#ring.has(r.id) && now - r.lastSent >= o.heartbeatMs / 2) this.#ping(r, now, io, r.pings % ECHO_EVERY === 0);
    }
    this.#sampleRtt(now, live, io);
    return dropped;
  }

  /** Why `r` is gone now, or null while it is fine. Updates its neighbour and suspicion marks. */
  #verdict(r: MemberRecord, now: number, stalled: boolean): string | null {
    const o = this.#o;
    const neighbor = this.#ring.has(r.id);
    r.neighborSince = neighbor ? (r.neighborSince ?? now) : null;
    if (stalled) return null;
    if (r.suspectSince !== null) {
      if (r.lastHeard >= r.suspectSince) {
        r.suspectSince = null;
        r.reportedBy = null;
      } else if (now - r.suspectSince >= o.suspectMs) {
        return r.reportedBy ? `reported down by ${r.reportedBy}, no answer since` : 'a link went down and it did not answer on the others';
      }
    }
    if (r.neighborSince === null) return null;
    const silentSince = Math.max(r.lastHeard, r.neighborSince);
    return now - silentSince > o.deadAfterMs ? HEARTBEAT_TIMEOUT : null;
  }

  /** Every `rttSampleMs`, one live peer outside the neighbourhood (round robin) gets an echo ping. */
  #sampleRtt(now: number, live: readonly MemberRecord[], io: LivenessIo): void {
    if (now - this.#lastSample < this.#o.rttSampleMs) return;
    const others = live.filter((r) => !this.#ring.has(r.id));
    if (others.length === 0) return;
    this.#lastSample = now;
    const r = others[this.#sampleAt++ % others.length] as MemberRecord;
    this.#ping(r, now, io, true);
  }

  /**
   * A ring watcher (`from`) dropped the peer of `r`. Both its watchers reporting it (a crash: both see the
   * silence) drops it at once; one report alone — perhaps from a watcher whose own event loop fell behind —
   * makes it a suspect that must answer our echo within suspectMs. Heard from just now: the report is stale.
   */
  reportedDown(from: PeerId, r: MemberRecord | undefined, now: number, io: LivenessIo): void {
    if (!r?.alive || r.id === this.#self || now - r.lastHeard < this.#o.heartbeatMs) return;
    if (r.reportedBy !== null && r.reportedBy !== from && r.suspectSince !== null && r.lastHeard < r.suspectSince) {
      return io.drop(r.id, `reported down by ${r.reportedBy} and ${from}`);
    }
    r.reportedBy = from;
    r.suspectSince ??= now;
    io.send(r.id, { k: 'pi', t: now, e: 1 });
  }

  #ping(r: MemberRecord, now: number, io: LivenessIo, echo: boolean): void {
    r.pings++;
    io.send(r.id, echo ? { k: 'pi', t: now, e: 1 } : { k: 'pi', t: now });
  }
}

export const HEARTBEAT_TIMEOUT = 'heartbeat timeout';
