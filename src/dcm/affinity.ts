// Who should take a fresh copy first. Optimistic claims race: when a copy appears, every host of its
// reactor may run a body on it and all but one are fenced — wasted work that grows with the room. So each
// fresh copy has a preferred host (rendezvous hashing over the hosts in the catalog); other hosts leave it
// alone for a short grace period, after which anyone may take it (work stealing: a busy, slow or departed
// preferred host never holds a copy back for long). This only orders the race; it decides nothing — the
// sequencer still validates every claim and commit.
//
// A copy that is the only one of its molecule in the room (a counter's `count`, an accumulator) is the
// contended case: every reaction needs it and each run makes the next one. Hashing each new copy to a
// different host would send it around the room, one extra hop per step, and every late host races. So
// a lone copy goes to the sequencer when it hosts the reactor — its replica learns a commit first, so it
// takes the next copy before anyone else's grace period has even started — else to one stable host. When
// that host stalls, one backup host (the next in the rendezvous order) races for it first and everyone
// else later: a stalled sequencer costs one fenced run, not one per host.
//
// A hold ends when its timer fires and the peer has then read what already arrived: the timer's end is
// deferred past the pending input (`defer`: setImmediate in Node, after the poll phase). A process that was
// starved of CPU for longer than a hold would otherwise wake, see every hold expired, and race for copies
// whose consumption sits unread in its socket — one fenced run per host per stall.
import type { Clock } from '../core/clock';
import type { MoleculeId, PeerId, ReactorId } from '../core/ids';
import type { Preference } from './copy-bag';
import { emitterLength } from './ids';

export interface AffinityOptions {
  readonly self: PeerId;
  readonly clock: Clock;
  /** Hosts of a reactor right now (this peer included when it hosts it). */
  readonly hosts: (reactor: ReactorId) => readonly PeerId[];
  readonly graceMs: number;
  /** The sequencer now, if known (a lone copy's preferred host when it hosts the reactor). */
  readonly leader?: () => PeerId | null;
  /** Whether this is the only available copy of (reactor, name) in the room now. */
  readonly alone?: (reactor: ReactorId, name: string) => boolean;
  /** Called when a copy's grace period ends (it becomes available to every host). */
  readonly onOpen: (reactor: ReactorId, name: string) => void;
  /**
   * Where holds are kept: the replica's copy records (room.ts), so a hold costs no table of its own and ends
   * when the copy's record does. Without it the affinity keeps them in a table (HoldTable).
   */
  readonly holds?: Holds;
  /** Run after the input that already arrived was handled (default: a zero-delay timer on `clock`). */
  readonly defer?: (fn: () => void) => void;
}

/** 32-bit FNV-1a: a cheap, stable hash for rendezvous ranking. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Rendezvous score of a host for a key, from their hashes (murmur3's finalizer mixes the pair). */
function score(key: number, host: number): number {
  let h = (key ^ Math.imul(host, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A lone copy's grace period, in plain grace periods, for its backup host; everyone else waits twice as long. */
const LONE_GRACE_FACTOR = 4;
/** Holds ending within graceMs / this of a timer's end are ended by it. */
const HOLD_SLACK_DIVISOR = 8;
/** Host hashes remembered (peers come and go: the cache is cleared when it grows past this). */
const MAX_HOST_HASHES = 4096;

/** The holds of copies: `until` identifies one (a copy held again gets a later one). */
export interface Holds {
  /** Hold the copy back until `until`; false when there is no such copy (nothing is held then). */
  hold(id: MoleculeId, until: number): boolean;
  /** End the hold that began with `until`; false when the copy has another hold or none. */
  release(id: MoleculeId, until: number): boolean;
  held(id: MoleculeId): boolean;
  /** The copy was consumed. */
  gone(id: MoleculeId): void;
}

/** Holds in a table of their own: for an affinity without a replica (every copy may be held, known or not). */
export class HoldTable implements Holds {
  readonly #until = new Map<MoleculeId, number>();
  hold(id: MoleculeId, until: number): boolean {
    this.#until.set(id, until);
    return true;
  }
  release(id: MoleculeId, until: number): boolean {
    return this.#until.get(id) === until && this.#until.delete(id);
  }
  held(id: MoleculeId): boolean {
    return this.#until.has(id);
  }
  gone(id: MoleculeId): void {
    this.#until.delete(id);
  }
}

/** Holds that end in one firing of a queue's timer (parallel arrays, as in the queue). */
interface DueHolds {
  readonly ids: readonly MoleculeId[];
  readonly untils: readonly number[];
  readonly reactors: readonly ReactorId[];
  readonly names: readonly string[];
}

/**
 * A FIFO of holds in parallel arrays with a moving head, compacted when half spent. No object per hold: a hold
 * lives a grace period, past a scavenge or two, and there is one per fresh copy at every peer but its host.
 */
class HoldQueue {
  /** A timer is set for the head. */
  armed = false;
  #ids: MoleculeId[] = [];
  #untils: number[] = [];
  #reactors: ReactorId[] = [];
  #names: string[] = [];
  #head = 0;
  push(id: MoleculeId, reactor: ReactorId, name: string, until: number): void {
    this.#ids.push(id);
    this.#untils.push(until);
    this.#reactors.push(reactor);
    this.#names.push(name);
  }
  /** When the first hold ends (undefined: none). */
  headUntil(): number | undefined {
    return this.#head < this.#untils.length ? this.#untils[this.#head] : undefined;
  }
  /** Take the holds from the head on that end by `end`. */
  take(end: number): DueHolds {
    const from = this.#head;
    let to = from;
    while (to < this.#untils.length && (this.#untils[to] as number) <= end) to++;
    const due = { ids: this.#ids.slice(from, to), untils: this.#untils.slice(from, to), reactors: this.#reactors.slice(from, to), names: this.#names.slice(from, to) };
    this.#head = to;
    if (this.#head * 2 >= this.#untils.length) {
      this.#ids = this.#ids.slice(to);
      this.#untils = this.#untils.slice(to);
      this.#reactors = this.#reactors.slice(to);
      this.#names = this.#names.slice(to);
      this.#head = 0;
    }
    return due;
  }
}

export class Affinity {
  readonly #o: AffinityOptions;
  readonly #defer: (fn: () => void) => void;
  /** Fresh copies not preferred to us, until their grace ends. */
  readonly #holds: Holds;
  /**
   * The holds in the order they end: one queue per grace length, so each is sorted by its end, and one
   * timer per queue aimed at its head (a timer per copy was a measurable share of a peer's CPU under a
   * stream of jobs). Each firing ends at least the head, as that copy's own timer would have.
   */
  readonly #queues: [HoldQueue, HoldQueue, HoldQueue] = [new HoldQueue(), new HoldQueue(), new HoldQueue()];
  readonly #hostHash = new Map<PeerId, number>();
  #lastHosts: readonly PeerId[] | null = null;
  #lastHashes: Uint32Array | null = null;

  constructor(options: AffinityOptions) {
    this.#o = options;
    const { clock } = options;
    this.#defer = options.defer ?? ((fn) => void clock.setTimeout(fn, 0));
    this.#holds = options.holds ?? new HoldTable();
  }

  /**
   * A copy appeared (emitted or produced): if another host is preferred, hold back until the grace ends.
   * `now`: the clock's time, when the caller has it (the copies of one append appear at one moment).
   */
  appeared(id: MoleculeId, reactor: ReactorId, name: string, now?: number): void {
    const { self, clock, graceMs } = this.#o;
    if (graceMs <= 0) return;
    // A lone copy waits longer for its host: the sequencer takes each next one within its own turn, so a
    // peer that raced it after the plain grace on a loaded machine would only be fenced.
    const emitter = this.#emitterHost(id, reactor);
    const lone = emitter === null && (this.#o.alone?.(reactor, name) ?? false);
    let kind: 0 | 1 | 2 = 0;
    if (emitter !== null) {
      if (emitter === self) return;
    } else if (lone) {
      const { preferred, backup } = this.#lone(reactor, name);
      if (preferred === self) return;
      kind = backup === self ? 1 : 2;
    } else if (this.#rendezvous(id, reactor) === self) return;
    const ms = graceMs * (kind === 0 ? 1 : kind === 1 ? LONE_GRACE_FACTOR : 2 * LONE_GRACE_FACTOR);
    const until = (now ?? clock.now()) + ms;
    if (!this.#holds.hold(id, until)) return;
    const q = this.#queues[kind];
    q.push(id, reactor, name, until);
    if (!q.armed) this.#arm(q, ms);
  }

  #arm(q: HoldQueue, ms: number): void {
    q.armed = true;
    this.#o.clock.setTimeout(() => this.#expire(q), Math.max(0, ms));
  }

  /**
   * The head's grace is over (and that of every hold that began at the same moment): once the input that
   * arrived meanwhile is handled, their copies still there open to every host, one notification per
   * (reactor, name). The next firing is as far after this one as the next hold began after the head (timer
   * time, not `now()`: a paused clock must not stall the queue).
   */
  #expire(q: HoldQueue): void {
    q.armed = false;
    const head = q.headUntil();
    if (head === undefined) return;
    // Holds that end within a slack of the head end with it: one timer per slack, not per copy (a timer per
    // hold was 7 % of a replica under a burst of jobs). A copy opens at most graceMs / HOLD_SLACK_DIVISOR early.
    const due = q.take(head + this.#o.graceMs / HOLD_SLACK_DIVISOR);
    const next = q.headUntil();
    if (next !== undefined) this.#arm(q, next - head);
    this.#defer(() => {
      const opened = new Map<string, { readonly reactor: ReactorId; readonly name: string }>();
      // Only a hold still in place counts (the copy may be consumed, or held again since). Holds that end
      // together are mostly of one (reactor, name): its key is built once, not once per hold.
      let lastReactor: ReactorId | null = null;
      let lastName = '';
      for (let i = 0; i < due.ids.length; i++) {
        if (!this.#holds.release(due.ids[i] as MoleculeId, due.untils[i] as number)) continue;
        const reactor = due.reactors[i] as ReactorId;
        const name = due.names[i] as string;
        if (reactor === lastReactor && name === lastName) continue;
        lastReactor = reactor;
        lastName = name;
        opened.set(`${reactor}\u0000${name}`, { reactor, name });
      }
      for (const { reactor, name } of opened.values()) this.#o.onOpen(reactor, name);
    });
  }

  /** May this peer try the copy now? (Not while it is held: the hold's timer ends it.) */
  open(id: MoleculeId): boolean {
    return !this.#holds.held(id);
  }

  /** The copy is gone (consumed): forget it. */
  gone(id: MoleculeId): void {
    this.#holds.gone(id);
  }

  /** Whether this peer is the preferred host of a copy (always, with affinity off). */
  mine(id: MoleculeId, reactor: ReactorId, name: string): boolean {
    if (this.#o.graceMs <= 0) return true;
    const emitter = this.#emitterHost(id, reactor);
    if (emitter !== null) return emitter === this.#o.self;
    const host = this.#o.alone?.(reactor, name) ? this.#lone(reactor, name, false).preferred : this.#rendezvous(id, reactor);
    return host === this.#o.self;
  }

  /**
   * Whether this peer is the preferred host of copies in a bag of two or more (the lone rule of `mine`
   * only ever concerns a bag of one, whose order does not matter): a function of the reactor's hosts,
   * which the catalog hands out as one list until they change — the stamp the replica's bags sort by.
   */
  readonly preference: Preference = {
    stamp: (reactor) => (this.#o.graceMs <= 0 ? null : this.#o.hosts(reactor as ReactorId)),
    mine: (m) => this.#o.graceMs <= 0 || this.#rendezvous(m.id, m.reactor) === this.#o.self,
  };

  /** The host a fresh copy goes to first (rendezvous hashing over the reactor's hosts). */
  preferred(id: MoleculeId, reactor: ReactorId): PeerId | undefined {
    return this.#rendezvous(id, reactor);
  }

  /**
   * A lone copy of (reactor, name): its host — the sequencer when it hosts the reactor, else the first in
   * the rendezvous order of the name — and the backup that may race for it first (the first other host).
   */
  #lone(reactor: ReactorId, name: string, withBackup = true): { preferred: PeerId | undefined; backup: PeerId | undefined } {
    const hosts = this.#o.hosts(reactor);
    const leader = this.#o.leader?.();
    const preferred = leader && hosts.includes(leader) ? leader : this.#top(`${reactor}/${name}`, hosts);
    return { preferred, backup: withBackup ? this.#top(`${reactor}/${name}`, hosts, preferred) : undefined };
  }

  /**
   * An emitted copy whose emitter hosts the reactor is the emitter's, lone or not: it matches its own
   * emissions first (fresh.ts), so handing them to another host only made two hosts reach for the same
   * copies (a burst of own jobs on 5 peers: a fifth of all runs fenced). Idle hosts still steal at once
   * (requester.ts). Checked before `alone`, which walks the copies (on the sequencer, past every copy its
   * uncommitted tail consumed: 12 % of its time when every availability check asked it).
   */
  #emitterHost(id: MoleculeId, reactor: ReactorId): PeerId | null {
    const n = emitterLength(id);
    if (n <= 0) return null;
    for (const h of this.#o.hosts(reactor)) if (h.length === n && id.startsWith(h)) return h;
    return null;
  }

  #rendezvous(id: MoleculeId, reactor: ReactorId): PeerId | undefined {
    return this.#emitterHost(id, reactor) ?? this.#top(id, this.#o.hosts(reactor));
  }

  /** The host with the highest score for `key` (ties: the smaller id), `except` left out. */
  #top(key: string, hosts: readonly PeerId[], except?: PeerId): PeerId | undefined {
    const k = fnv(key);
    const hashes = this.#hashesOf(hosts);
    let best: PeerId | undefined;
    let bestScore = -1;
    for (let i = 0; i < hosts.length; i++) {
      const p = hosts[i] as PeerId;
      if (p === except) continue;
      const sc = score(k, hashes[i] as number);
      if (sc > bestScore || (sc === bestScore && best !== undefined && p < best)) {
        best = p;
        bestScore = sc;
      }
    }
    return best;
  }

  /** The hashes of a host list, remembered for the last list asked about (the catalog hands out the same one until it changes). */
  #hashesOf(hosts: readonly PeerId[]): Uint32Array {
    if (this.#lastHosts === hosts && this.#lastHashes) return this.#lastHashes;
    const hashes = new Uint32Array(hosts.length);
    for (let i = 0; i < hosts.length; i++) hashes[i] = this.#hashOf(hosts[i] as PeerId);
    this.#lastHosts = hosts;
    this.#lastHashes = hashes;
    return hashes;
  }

  #hashOf(p: PeerId): number {
    let h = this.#hostHash.get(p);
    if (h === undefined) {
      if (this.#hostHash.size >= MAX_HOST_HASHES) this.#hostHash.clear();
      this.#hostHash.set(p, (h = fnv(p)));
    }
    return h;
  }
}
