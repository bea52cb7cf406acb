// Our own emissions on their way to the sequencer, matchable here at once (local first). The emit went to
// the serving sequencer on an ordered link; a claim for the copy sent afterwards on that link finds it
// already appended to the log, so the emitting peer may run the reaction without waiting for the emit
// entry to come back — one round trip less per reaction when the emitter hosts the reactor. Nothing is
// decided here: the sequencer validates that claim like any other (a lost or reordered emit, or a new
// sequencer, only means a refused claim and a body run for nothing).
// Only a *young* copy — emitted in the current turn — is matched regardless of affinity: its claim leaves in
// the same batch as its emit, so it never looks free to anyone. An older one (a burst larger than this
// peer's claims in flight) has gone out to every host in an append by now: the emitter then reaches for
// it only if it is the copy's preferred host, else like any held-back copy (fewer fenced races).
import type { DistributedMolecule } from '../core/distributed-port';
import type { Epoch, MoleculeId, PeerId } from '../core/ids';
import type { LeaderInfo } from './acceptor';
import { bagKey } from './replica';

/** Bound on copies remembered (emit bursts beyond it are matched the ordinary way, once they are in the log). */
const MAX_FRESH = 4096;

interface Fresh {
  readonly molecule: DistributedMolecule;
  readonly leader: PeerId;
  readonly epoch: Epoch;
}

export class FreshEmissions {
  readonly #byId = new Map<MoleculeId, Fresh>();
  readonly #bags = new Map<string, Set<MoleculeId>>();
  /** Copies added in the current turn (cleared by `defer` once it is over). */
  readonly #young = new Set<MoleculeId>();
  readonly #defer: (fn: () => void) => void;

  constructor(defer: (fn: () => void) => void) {
    this.#defer = defer;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The emit of `molecule` was just sent to `to`. */
  add(molecule: DistributedMolecule, to: LeaderInfo): void {
    if (this.#byId.size >= MAX_FRESH) return;
    this.#byId.set(molecule.id, { molecule, leader: to.leader, epoch: to.epoch });
    if (this.#young.size === 0) this.#defer(() => this.#young.clear());
    this.#young.add(molecule.id);
    const key = bagKey(molecule.reactor, molecule.name);
    let bag = this.#bags.get(key);
    if (!bag) this.#bags.set(key, (bag = new Set()));
    bag.add(molecule.id);
  }

  /** The copy reached our replica (log tail or snapshot): from now on it is matched like every other. */
  delete(id: MoleculeId): void {
    const f = this.#byId.get(id);
    if (!f) return;
    this.#byId.delete(id);
    const key = bagKey(f.molecule.reactor, f.molecule.name);
    const bag = this.#bags.get(key);
    bag?.delete(id);
    if (bag?.size === 0) this.#bags.delete(key);
  }

  /** Added in the current turn: its claim, if made now, leaves in the same batch as its emit. */
  isYoung(id: MoleculeId): boolean {
    return this.#young.has(id);
  }

  /** Sent to `leader` in its term: a claim sent to it now follows the emit. */
  has(id: MoleculeId, leader: LeaderInfo | null): boolean {
    const f = this.#byId.get(id);
    return f !== undefined && leader !== null && f.leader === leader.leader && f.epoch === leader.epoch;
  }

  *copies(reactor: string, name: string, leader: LeaderInfo | null): Generator<DistributedMolecule> {
    if (!leader) return;
    const bag = this.#bags.get(bagKey(reactor, name));
    if (!bag) return;
    for (const id of bag) {
      const f = this.#byId.get(id);
      if (f && f.leader === leader.leader && f.epoch === leader.epoch) yield f.molecule;
    }
  }

  /** A new term began: emits sent to older sequencers are not known to the new one until resent and appended. */
  dropBefore(epoch: Epoch): void {
    for (const [id, f] of this.#byId) if (f.epoch < epoch) this.delete(id);
  }

  clear(): void {
    this.#byId.clear();
    this.#young.clear();
    this.#bags.clear();
  }
}
