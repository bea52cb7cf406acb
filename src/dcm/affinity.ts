// Who should take a fresh copy first. Optimistic claims race: when a copy appears, every host of its
// reactor may run a body on it and all but one are fenced — wasted work that grows with the room. So each
// fresh copy has a preferred host (rendezvous hashing over the hosts in the catalog); other hosts leave it
// alone for a short grace period, after which anyone may take it (work stealing: a busy, slow or departed
// preferred host never holds a copy back for long). This only orders the race; it decides nothing — the
// sequencer still validates every claim and commit.
import type { Clock } from '../core/clock';
import type { MoleculeId, PeerId, ReactorId } from '../core/ids';

export interface AffinityOptions {
  readonly self: PeerId;
  readonly clock: Clock;
  /** Hosts of a reactor right now (this peer included when it hosts it). */
  readonly hosts: (reactor: ReactorId) => readonly PeerId[];
  readonly graceMs: number;
  /** Called when a copy's grace period ends (it becomes available to every host). */
  readonly onOpen: (reactor: ReactorId, name: string) => void;
}

/** 32-bit FNV-1a: a cheap, stable hash for rendezvous ranking. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
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
    const { self, clock, graceMs } = this.#o;
    if (graceMs <= 0 || this.#preferred(id, reactor) === self) return;
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

  #preferred(id: MoleculeId, reactor: ReactorId): PeerId | undefined {
    let best: PeerId | undefined;
    let bestScore = -1;
    for (const p of this.#o.hosts(reactor)) {
      const score = fnv(`${id}|${p}`);
      if (score > bestScore || (score === bestScore && best !== undefined && p < best)) {
        best = p;
        bestScore = score;
      }
    }
    return best;
  }
}
