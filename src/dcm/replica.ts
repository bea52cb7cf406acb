// A peer's replica of the room: the state after the committed log prefix, plus an overlay of the
// uncommitted tail. Consumers may match on tail molecules (a commit entry can only commit after the entries
// before it), which saves a round trip per reaction; the overlay is rebuilt when the tail is truncated.
import type { DistributedMolecule } from '../core/distributed-port';
import { type ClaimId, type Epoch, type MoleculeId, NO_EPOCH, type PeerId, type ReactorId } from '../core/ids';
import { Bags, Part, type Preference } from './copy-bag';
import { emitKey } from './ids';
import { RecentMap } from './recent';
import { RECENT_COMMITS, type DeliveredSeqs, type Entry, type ReplyOutput, type Snapshot } from './entries';

/** What applying one committed entry changed (for notifications, replies and the simulation's checker). */
export interface AppliedEntry {
  readonly index: number;
  readonly entry: Entry;
  /** False for a duplicate emit: the entry is in the log but changed nothing. */
  readonly effective: boolean;
  readonly replies: readonly ReplyOutput[];
}

/** The open parts of a bag, in the order they are offered. */
const OPEN_PARTS = [Part.Mine, Part.Unsorted, Part.Others] as const;

/** The replies of an entry that has none (one shared empty list: an applied emit allocates no array). */
const NO_REPLIES: readonly ReplyOutput[] = Object.freeze([]);

/** Key of the bag of copies of (reactor, name). */
export const bagKey = (reactor: ReactorId | string, name: string): string => `${reactor}\u0000${name}`;

class Delivered {
  upTo = 0;
  readonly above = new Set<number>();
  has(seq: number): boolean {
    return seq <= this.upTo || this.above.has(seq);
  }
  add(seq: number): void {
    if (seq !== this.upTo + 1) return void this.above.add(seq);
    this.upTo = seq; // the usual case, in order: no set traffic
    if (this.above.size > 0) while (this.above.delete(this.upTo + 1)) this.upTo++;
  }
}

export class Replica {
  readonly #molecules = new Map<MoleculeId, DistributedMolecule>();
  /**
   * The copies of the committed state and of the tail in one bag per name: a copy stays in its bag when its
   * emit commits (it was moved between two bags per entry applied, sorted and hashed again each time).
   */
  readonly #bags = new Bags();
  /** Copies held back for their preferred host (affinity.ts tells): kept in their bags' held part. */
  readonly #held = new Set<MoleculeId>();
  readonly #delivered = new Map<string, Delivered>();
  #members: readonly PeerId[] = [];
  readonly #recentCommits = new RecentMap<ClaimId, true>(RECENT_COMMITS);
  #applied = 0;
  #appliedEpoch = NO_EPOCH;
  // Overlay of the uncommitted tail.
  readonly #tailAdded = new Map<MoleculeId, DistributedMolecule>();
  readonly #tailRemoved = new Set<MoleculeId>();
  readonly #tailEmits = new Set<string>();
  #tailConfig: { index: number; members: readonly PeerId[] } | null = null;

  get appliedIndex(): number {
    return this.#applied;
  }
  get appliedEpoch(): Epoch {
    return this.#appliedEpoch;
  }
  /** Committed members. */
  get members(): readonly PeerId[] {
    return this.#members;
  }
  /** Members in effect: the latest config entry anywhere in the log, committed or not (Raft's rule). */
  get membersInEffect(): readonly PeerId[] {
    return this.#tailConfig?.members ?? this.#members;
  }
  get size(): number {
    return this.#molecules.size;
  }

  /** A molecule is available when it exists in the committed state or the tail and no entry consumed it. */
  isAvailable(id: MoleculeId): boolean {
    return !this.#tailRemoved.has(id) && (this.#molecules.has(id) || this.#tailAdded.has(id));
  }
  get(id: MoleculeId): DistributedMolecule | undefined {
    return this.#tailAdded.get(id) ?? this.#molecules.get(id);
  }
  isCommitted(id: MoleculeId): boolean {
    return this.#molecules.has(id);
  }
  /** The commit of this claim was applied (within the last RECENT_COMMITS commits). */
  committedClaim(claimId: ClaimId): boolean {
    return this.#recentCommits.has(claimId);
  }
  isDelivered(source: string, seq: number): boolean {
    return this.#tailEmits.has(emitKey(source, seq)) || (this.#delivered.get(source)?.has(seq) ?? false);
  }
  isDeliveredCommitted(source: string, seq: number): boolean {
    return this.#delivered.get(source)?.has(seq) ?? false;
  }

  /** Available copies of (reactor, name), held or not. */
  *copies(reactor: ReactorId, name: string): Generator<DistributedMolecule> {
    const bag = this.#bags.get(reactor, name);
    if (bag) for (const m of bag.all()) if (!this.#tailRemoved.has(m.id)) yield m;
  }

  /** Exactly one copy of (reactor, name) is available (a lone copy: affinity.ts). */
  alone(reactor: ReactorId, name: string): boolean {
    const bag = this.#bags.get(reactor, name);
    const size = bag?.size ?? 0;
    // Two or more left even if every copy the tail consumed were of this bag: no walk (a counter's incrs).
    if (size === 0 || size - this.#tailRemoved.size >= 2) return false;
    return bag?.countUpTo(2, this.#tailRemoved) === 1;
  }

  /**
   * Available copies not held back for another host: the ones `preference` says are this peer's first, then
   * the rest (each part starting at a random point so peers do not all pick the same copy).
   */
  *openCopies(reactor: ReactorId, name: string, start: number, preference?: Preference): Generator<DistributedMolecule> {
    const bag = this.#bags.get(reactor, name);
    if (!bag) return;
    if (preference) bag.sort(preference, reactor);
    for (const part of OPEN_PARTS) {
      const n = bag.count(part);
      for (let k = 0; k < n; k++) {
        const m = bag.at(part, start, k);
        if (m && !this.#tailRemoved.has(m.id)) yield m;
      }
    }
  }

  /** Available copies held back for their preferred host. */
  *heldCopies(reactor: ReactorId, name: string, start: number): Generator<DistributedMolecule> {
    const bag = this.#bags.get(reactor, name);
    if (bag) for (const m of bag.held(start)) if (!this.#tailRemoved.has(m.id)) yield m;
  }

  /** A copy is held back for its preferred host (true) or open to every host again (false). */
  setHeld(id: MoleculeId, held: boolean): void {
    if (held) this.#held.add(id);
    else if (!this.#held.delete(id)) return;
    const m = this.#tailAdded.get(id) ?? this.#molecules.get(id);
    if (m) this.#bags.get(m.reactor, m.name)?.setHeld(id, held);
  }

  /** Committed copies of (reactor, name), claimed or not (what the room holds for sure). */
  *committed(reactor: ReactorId, name: string): Generator<DistributedMolecule> {
    const bag = this.#bags.get(reactor, name);
    if (!bag) return;
    for (const m of bag.all()) {
      const c = this.#molecules.get(m.id);
      if (c) yield c;
    }
  }

  /** An entry was appended to the log after `appliedIndex`: fold it into the overlay. */
  appendTail(index: number, entry: Entry): void {
    switch (entry.type) {
      case 'emit': {
        const key = emitKey(entry.source, entry.seq);
        if (this.#tailEmits.has(key) || this.isDeliveredCommitted(entry.source, entry.seq)) return;
        this.#tailEmits.add(key);
        this.#addTailMolecule(entry.molecule);
        return;
      }
      case 'commit':
        for (const id of entry.consumed) this.#tailRemoved.add(id);
        for (const m of entry.produced) this.#addTailMolecule(m);
        return;
      case 'config':
        this.#tailConfig = { index, members: entry.members };
        return;
      case 'term':
        return;
    }
  }

  /** Apply the next committed entry (index = appliedIndex + 1) and take it out of the overlay. */
  commitNext(index: number, entry: Entry): AppliedEntry {
    if (index !== this.#applied + 1) throw new Error(`replica: applying ${index} after ${this.#applied}`);
    this.#applied = index;
    this.#appliedEpoch = entry.epoch;
    switch (entry.type) {
      case 'emit': {
        this.#tailEmits.delete(emitKey(entry.source, entry.seq));
        let d = this.#delivered.get(entry.source);
        if (!d) this.#delivered.set(entry.source, (d = new Delivered()));
        const effective = !d.has(entry.seq);
        if (effective) {
          d.add(entry.seq);
          this.#addMolecule(entry.molecule); // before it leaves the tail: it stays in its bag
        }
        this.#removeTailMolecule(entry.molecule.id);
        return { index, entry, effective, replies: NO_REPLIES };
      }
      case 'commit':
        for (const id of entry.consumed) {
          this.#tailRemoved.delete(id);
          this.#removeTailMolecule(id);
          this.#removeMolecule(id);
        }
        for (const m of entry.produced) {
          this.#addMolecule(m);
          this.#removeTailMolecule(m.id);
        }
        this.#rememberCommit(entry.claimId);
        return { index, entry, effective: true, replies: entry.replies };
      case 'config':
        this.#members = entry.members;
        if (this.#tailConfig?.index === index) this.#tailConfig = null;
        return { index, entry, effective: true, replies: NO_REPLIES };
      case 'term':
        return { index, entry, effective: true, replies: NO_REPLIES };
    }
  }

  /** Forget the overlay and rebuild it from the (truncated) uncommitted tail. */
  rebuildTail(tail: readonly (readonly [number, Entry])[]): void {
    for (const id of [...this.#tailAdded.keys()]) this.#removeTailMolecule(id);
    this.#tailRemoved.clear();
    this.#tailEmits.clear();
    this.#tailConfig = null;
    for (const [i, e] of tail) this.appendTail(i, e);
  }

  snapshot(): Snapshot {
    const delivered: DeliveredSeqs[] = [];
    for (const [source, d] of this.#delivered) delivered.push({ source, upTo: d.upTo, above: [...d.above] });
    return {
      index: this.#applied,
      epoch: this.#appliedEpoch,
      members: this.#members,
      molecules: [...this.#molecules.values()],
      delivered,
      commits: [...this.#recentCommits.keys()],
    };
  }

  /** Replace the committed state with a snapshot (clears the overlay: rebuild it afterwards). */
  restore(s: Snapshot): void {
    this.#molecules.clear();
    this.#bags.clear();
    this.#delivered.clear();
    for (const m of s.molecules) this.#addMolecule(m);
    for (const d of s.delivered) {
      const x = new Delivered();
      x.upTo = d.upTo;
      for (const seq of d.above) x.above.add(seq);
      this.#delivered.set(d.source, x);
    }
    this.#members = s.members;
    this.#recentCommits.clear();
    for (const c of s.commits) this.#rememberCommit(c);
    this.#applied = s.index;
    this.#appliedEpoch = s.epoch;
    this.rebuildTail([]);
  }

  /** Every (reactor, name) that has or had copies (to notify everyone after a change of authority). */
  names(): [ReactorId, string][] {
    const names = new Map<string, [ReactorId, string]>();
    for (const [reactor, name] of this.#bags.names()) names.set(bagKey(reactor, name), [reactor as ReactorId, name]);
    return [...names.values()];
  }

  /** All committed molecules (the simulation compares replicas with it). */
  molecules(): IterableIterator<DistributedMolecule> {
    return this.#molecules.values();
  }

  #rememberCommit(claimId: ClaimId): void {
    this.#recentCommits.set(claimId, true);
  }

  #addMolecule(m: DistributedMolecule): void {
    this.#molecules.set(m.id, m);
    this.#bags.of(m.reactor, m.name).add(m, this.#held.has(m.id));
  }
  /** A copy leaves its bag once neither the committed state nor the tail has it. */
  #removeMolecule(id: MoleculeId): void {
    const m = this.#molecules.get(id);
    if (!m) return;
    this.#molecules.delete(id);
    if (!this.#tailAdded.has(id)) this.#bags.get(m.reactor, m.name)?.delete(id);
  }
  #addTailMolecule(m: DistributedMolecule): void {
    this.#tailAdded.set(m.id, m);
    this.#bags.of(m.reactor, m.name).add(m, this.#held.has(m.id));
  }
  #removeTailMolecule(id: MoleculeId): void {
    const m = this.#tailAdded.get(id);
    if (!m) return;
    this.#tailAdded.delete(id);
    if (!this.#molecules.has(id)) this.#bags.get(m.reactor, m.name)?.delete(id);
  }
}
