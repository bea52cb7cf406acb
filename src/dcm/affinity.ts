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
// takes the next copy before anyone else's grace period has even started — else to one stable host.
import type { Clock } from '../core/clock';
import type { MoleculeId, PeerId, ReactorId } from '../core/ids';

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
}

/** 32-bit FNV-1a: a cheap, stable hash for rendezvous ranking. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A lone copy's grace period, in plain grace periods. */
const LONE_GRACE_FACTOR = 4;

/** Exactly one item (reads at most two). */
export function onlyOne(items: Iterable<unknown>): boolean {
  let n = 0;
  for (const _ of items) if (++n > 1) return false;
  return n === 1;
}

interface Hold {
  readonly id: MoleculeId;
  readonly reactor: ReactorId;
  readonly name: string;
  readonly until: number;
}

/** A FIFO of holds (array with a moving head, compacted when half spent). */
class HoldQueue {
  /** A timer is set for the head. */
  armed = false;
  #items: Hold[] = [];
  #head = 0;
  push(h: Hold): void {
    this.#items.push(h);
  }
  peek(): Hold | undefined {
    return this.#items[this.#head];
  }
  shift(): void {
    if (++this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

export class Affinity {
  readonly #o: AffinityOptions;
  /** Fresh copies not preferred to us, until their grace ends. */
  readonly #held = new Map<MoleculeId, number>();
  /**
   * The holds in the order they end: one queue per grace length, so each is sorted by its end, and one
   * timer per queue aimed at its head (a timer per copy was a measurable share of a peer's CPU under a
   * stream of jobs). Each firing ends at least the head, as that copy's own timer would have.
   */
  readonly #queues: [HoldQueue, HoldQueue] = [new HoldQueue(), new HoldQueue()];

  constructor(options: AffinityOptions) {
    this.#o = options;
  }

  /** A copy appeared (emitted or produced): if another host is preferred, hold back until the grace ends. */
  appeared(id: MoleculeId, reactor: ReactorId, name: string): void {
    const { self, clock } = this.#o;
    if (this.#o.graceMs <= 0 || this.#preferred(id, reactor, name) === self) return;
    // A lone copy waits longer for its host: the sequencer takes each next one within its own turn, so a
    // peer that raced it after the plain grace on a loaded machine would only be fenced.
    const lone = this.#o.alone?.(reactor, name) ?? false;
    const graceMs = this.#o.graceMs * (lone ? LONE_GRACE_FACTOR : 1);
    const until = clock.now() + graceMs;
    this.#held.set(id, until);
    const q = this.#queues[lone ? 1 : 0];
    q.push({ id, reactor, name, until });
    if (!q.armed) this.#arm(q, graceMs);
  }

  #arm(q: HoldQueue, ms: number): void {
    q.armed = true;
    this.#o.clock.setTimeout(() => this.#expire(q), Math.max(0, ms));
  }

  /**
   * The head's grace is over (and that of every hold that began at the same moment): their copies open to
   * every host, one notification per (reactor, name). The next firing is as far after this one as the
   * next hold began after the head (timer time, not `now()`: a paused clock must not stall the queue).
   */
  #expire(q: HoldQueue): void {
    q.armed = false;
    const head = q.peek();
    if (!head) return;
    const opened = new Map<string, { readonly reactor: ReactorId; readonly name: string }>();
    for (let h = q.peek(); h && h.until <= head.until; h = q.peek()) {
      q.shift();
      // Only a hold still in place counts (the copy may be consumed, or held again since).
      if (this.#held.get(h.id) === h.until && this.#held.delete(h.id)) opened.set(`${h.reactor}\u0000${h.name}`, h);
    }
    const next = q.peek();
    if (next) this.#arm(q, next.until - head.until);
    for (const { reactor, name } of opened.values()) this.#o.onOpen(reactor, name);
  }

  /** May this peer try the copy now? */
  open(id: MoleculeId): boolean {
    const until = this.#held.get(id);
    if (until === undefined) return true;
    if (this.#o.clock.now() < until) return false;
    this.#held.delete(id);
    return true;
  }

  /** The copy is gone (consumed): forget it. */
  gone(id: MoleculeId): void {
    this.#held.delete(id);
  }

  /** Whether this peer is the preferred host of a copy (always, with affinity off). */
  mine(id: MoleculeId, reactor: ReactorId, name: string): boolean {
    return this.#o.graceMs <= 0 || this.#preferred(id, reactor, name) === this.#o.self;
  }

  /** The host a fresh copy goes to first (rendezvous hashing over the reactor's hosts). */
  preferred(id: MoleculeId, reactor: ReactorId): PeerId | undefined {
    return this.#preferred(id, reactor);
  }

  #preferred(id: MoleculeId, reactor: ReactorId, name?: string): PeerId | undefined {
    const hosts = this.#o.hosts(reactor);
    let key: string = id;
    if (name !== undefined && this.#o.alone?.(reactor, name)) {
      const leader = this.#o.leader?.();
      if (leader && hosts.includes(leader)) return leader;
      key = `${reactor}/${name}`;
    }
    let best: PeerId | undefined;
    let bestScore = -1;
    for (const p of hosts) {
      const score = fnv(`${key}|${p}`);
      if (score > bestScore || (score === bestScore && best !== undefined && p < best)) {
        best = p;
        bestScore = score;
      }
    }
    return best;
  }
}
