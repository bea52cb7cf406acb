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

export class Affinity {
  readonly #o: AffinityOptions;
  /** Fresh copies not preferred to us, until their grace ends. */
  readonly #held = new Map<MoleculeId, number>();

  constructor(options: AffinityOptions) {
    this.#o = options;
  }

  /** A copy appeared (emitted or produced): if another host is preferred, hold back until the grace ends. */
  appeared(id: MoleculeId, reactor: ReactorId, name: string): void {
    const { self, clock } = this.#o;
    if (this.#o.graceMs <= 0 || this.#preferred(id, reactor, name) === self) return;
    // A lone copy waits longer for its host: the sequencer takes each next one within its own turn, so a
    // peer that raced it after the plain grace on a loaded machine would only be fenced.
    const graceMs = this.#o.graceMs * (this.#o.alone?.(reactor, name) ? LONE_GRACE_FACTOR : 1);
    this.#held.set(id, clock.now() + graceMs);
    clock.setTimeout(() => {
      if (this.#held.delete(id)) this.#o.onOpen(reactor, name);
    }, graceMs);
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
