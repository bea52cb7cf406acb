// A peer's replica of the room: the state after the committed log prefix, plus an overlay of the
// uncommitted tail. Consumers may match on tail molecules (a commit entry can only commit after the entries
// before it), which saves a round trip per reaction; the overlay is rebuilt when the tail is truncated.
import type { DistributedMolecule } from '../core/distributed-port';
import { type ClaimId, type Epoch, type MoleculeId, NO_EPOCH, type PeerId, type ReactorId } from '../core/ids';
import { Bags, type BagItem, type CopyBag, Part, type Preference } from './copy-bag';
import { Delivered } from './delivered';
import { RECENT_COMMITS, type DeliveredSeqs, type Entry, type ReplyOutput, type Snapshot } from './entries';
import { IndexNotes } from './index-notes';
import { RecentRing } from './recent';

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

/**
 * What this replica knows of one copy: the committed state's and the tail's version of it, whether a tail
 * entry consumed it, and its place in the bag of its (reactor, name). One record, found with one lookup: the
 * state used to sit in five id-keyed maps and sets (committed, tail added, tail removed, the bag's places),
 * ~30 hash-table operations per reaction at every replica and a third of an in-process room's CPU.
 * A record exists while the committed state or the tail has the copy.
 */
class Copy implements BagItem {
  at = -1;
  committed: DistributedMolecule | undefined = undefined;
  tail: DistributedMolecule | undefined = undefined;
  /** An entry of the tail consumed it. */
  removed = false;
  /** Held back for its preferred host until this time (affinity.ts; 0: not held). The hold ends with the record. */
  heldUntil = 0;
  /** The record was forgotten (a newer one may stand for the copy now): a tail entry's note of it is stale. */
  gone = false;
  constructor(readonly bag: CopyBag<Copy>) {}
  /** The tail's version first (what `get` answers). */
  get molecule(): DistributedMolecule {
    return (this.tail ?? this.committed) as DistributedMolecule;
  }
}

export class Replica {
  readonly #copies = new Map<MoleculeId, Copy>();
  /**
   * The copies of the committed state and of the tail in one bag per name: a copy stays in its bag when its
   * emit commits (it was moved between two bags per entry applied, sorted and hashed again each time).
   */
  readonly #bags = new Bags<Copy>();
  /** Copies the tail consumed (`removed`), and copies the committed state has. */
  #removedCount = 0;
  #committedCount = 0;
  readonly #delivered = new Map<string, Delivered>();
  #members: readonly PeerId[] = [];
  readonly #recentCommits = new RecentRing<ClaimId>(RECENT_COMMITS);
  #applied = 0;
  #appliedEpoch = NO_EPOCH;
  /** The source looked up last (the entries of an append mostly come from few sources, in runs). */
  #lastSource: string | null = null;
  #lastDelivered: Delivered | null = null;
  // Overlay of the uncommitted tail (its copies are in #copies, its emissions in #delivered).
  /**
   * The copy records each tail entry touched, by log index: appendTail finds them, commitNext takes them (a
   * second lookup by id per copy, per entry, at every replica, was ~4 % of an in-process room). A commit's
   * consumed copies come first, then its produced ones; null where appendTail touched none.
   */
  readonly #noted = new IndexNotes<Copy | null | (Copy | null)[]>();
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
  /** Committed copies. */
  get size(): number {
    return this.#committedCount;
  }

  /** A molecule is available when it exists in the committed state or the tail and no entry consumed it. */
  isAvailable(id: MoleculeId): boolean {
    const c = this.#copies.get(id);
    return c !== undefined && !c.removed;
  }
  get(id: MoleculeId): DistributedMolecule | undefined {
    const c = this.#copies.get(id);
    return c === undefined ? undefined : (c.tail ?? c.committed);
  }
  isCommitted(id: MoleculeId): boolean {
    return this.#copies.get(id)?.committed !== undefined;
  }
  /** The commit of this claim was applied (within the last RECENT_COMMITS commits). */
  committedClaim(claimId: ClaimId): boolean {
    return this.#recentCommits.has(claimId);
  }
  isDelivered(source: string, seq: number): boolean {
    const d = this.#source(source, false);
    return d !== undefined && ((d.tail?.has(seq) ?? false) || d.has(seq));
  }
  isDeliveredCommitted(source: string, seq: number): boolean {
    return this.#source(source, false)?.has(seq) ?? false;
  }

  /** Available copies of (reactor, name), held or not. */
  *copies(reactor: ReactorId, name: string): Generator<DistributedMolecule> {
    const bag = this.#bags.get(reactor, name);
    if (bag) for (const c of bag.all()) if (!c.removed) yield c.molecule;
  }

  /** Exactly one copy of (reactor, name) is available (a lone copy: affinity.ts). */
  alone(reactor: ReactorId, name: string): boolean {
    const bag = this.#bags.get(reactor, name);
    const size = bag?.size ?? 0;
    // Two or more left even if every copy the tail consumed were of this bag: no walk (a counter's incrs).
    if (size === 0 || size - this.#removedCount >= 2) return false;
    return bag?.countUpTo(2, isRemoved) === 1;
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
        const c = bag.at(part, start, k);
        if (c && !c.removed) yield c.molecule;
      }
    }
  }

  /** Available copies held back for their preferred host. */
  *heldCopies(reactor: ReactorId, name: string, start: number): Generator<DistributedMolecule> {
    const bag = this.#bags.get(reactor, name);
    if (bag) for (const c of bag.held(start)) if (!c.removed) yield c.molecule;
  }

  /**
   * Hold a copy back for its preferred host until `until` (affinity.ts Holds): it moves to its bag's held part.
   * False when there is no such copy, or the tail consumed it (nothing to hold). A consumed copy keeps its hold
   * until the hold ends or the copy's record does (the entry that consumed it may still be cut).
   */
  hold(id: MoleculeId, until: number): boolean {
    const c = this.#copies.get(id);
    if (c === undefined || c.removed) return false;
    c.heldUntil = until;
    c.bag.setHeld(c, true);
    return true;
  }

  /** End the hold that began with `until` (false when the copy has another hold, or none, or is gone). */
  release(id: MoleculeId, until: number): boolean {
    const c = this.#copies.get(id);
    if (c === undefined || c.heldUntil !== until) return false;
    c.heldUntil = 0;
    c.bag.setHeld(c, false);
    return true;
  }

  isHeld(id: MoleculeId): boolean {
    return (this.#copies.get(id)?.heldUntil ?? 0) !== 0;
  }

  /** Committed copies of (reactor, name), claimed or not (what the room holds for sure). */
  *committed(reactor: ReactorId, name: string): Generator<DistributedMolecule> {
    const bag = this.#bags.get(reactor, name);
    if (!bag) return;
    for (const c of bag.all()) if (c.committed) yield c.committed;
  }

  /** An entry was appended to the log after `appliedIndex`: fold it into the overlay. */
  appendTail(index: number, entry: Entry): void {
    switch (entry.type) {
      case 'emit': {
        const d = this.#source(entry.source, true) as Delivered;
        if (d.tail?.has(entry.seq) || d.has(entry.seq)) return this.#noted.note(index, null);
        (d.tail ??= new Set()).add(entry.seq);
        return this.#noted.note(index, this.#addTail(entry.molecule));
      }
      case 'commit': {
        const { consumed, produced } = entry;
        const one = consumed.length === 1 && produced.length === 0; // the usual commit: one record, no array
        const noted: (Copy | null)[] | null = one ? null : [];
        let first: Copy | null = null;
        for (let k = 0; k < consumed.length; k++) {
          const c = this.#copies.get(consumed[k] as MoleculeId) ?? null;
          if (c && !c.removed) {
            c.removed = true;
            this.#removedCount++;
          }
          if (noted) noted.push(c);
          else first = c;
        }
        for (let k = 0; k < produced.length; k++) (noted as (Copy | null)[]).push(this.#addTail(produced[k] as DistributedMolecule));
        return this.#noted.note(index, noted ?? first);
      }
      case 'config':
        this.#tailConfig = { index, members: entry.members };
        return this.#noted.note(index, null);
      case 'term':
        return this.#noted.note(index, null);
    }
  }

  /** Apply the next committed entry (index = appliedIndex + 1) and take it out of the overlay. */
  commitNext(index: number, entry: Entry): AppliedEntry {
    if (index !== this.#applied + 1) throw new Error(`replica: applying ${index} after ${this.#applied}`);
    this.#applied = index;
    this.#appliedEpoch = entry.epoch;
    const noted = this.#noted.take(index);
    switch (entry.type) {
      case 'emit': {
        const d = this.#source(entry.source, true) as Delivered;
        d.tail?.delete(entry.seq);
        const effective = !d.has(entry.seq);
        const known = noted instanceof Copy && !noted.gone ? noted : undefined;
        if (effective) {
          d.add(entry.seq);
          this.#commitCopy(entry.molecule, known); // it stays in its bag as it leaves the tail
        } else {
          const c = known ?? this.#copies.get(entry.molecule.id);
          if (c) this.#dropTail(c, entry.molecule.id);
        }
        return { index, entry, effective, replies: NO_REPLIES };
      }
      case 'commit': {
        const { consumed, produced } = entry;
        const list = Array.isArray(noted) ? noted : null;
        for (let k = 0; k < consumed.length; k++) {
          const id = consumed[k] as MoleculeId;
          const n = list ? list[k] : k === 0 ? noted : null;
          const c = n instanceof Copy && !n.gone ? n : this.#copies.get(id);
          if (c) this.#forget(c, id);
        }
        for (let k = 0; k < produced.length; k++) {
          const n = list?.[consumed.length + k];
          this.#commitCopy(produced[k] as DistributedMolecule, n && !n.gone ? n : undefined);
        }
        this.#rememberCommit(entry.claimId);
        return { index, entry, effective: true, replies: entry.replies };
      }
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
    for (const [id, c] of [...this.#copies]) {
      c.removed = false;
      if (c.tail) this.#dropTail(c, id);
    }
    this.#removedCount = 0;
    for (const d of this.#delivered.values()) d.tail = null;
    this.#noted.clear(this.#applied + 1);
    this.#tailConfig = null;
    for (const [i, e] of tail) this.appendTail(i, e);
  }

  snapshot(): Snapshot {
    const delivered: DeliveredSeqs[] = [];
    // (a source known only from the tail has applied nothing: not part of the committed state)
    for (const [source, d] of this.#delivered) if (d.upTo > 0 || d.above.size > 0) delivered.push({ source, upTo: d.upTo, above: [...d.above] });
    return {
      index: this.#applied,
      epoch: this.#appliedEpoch,
      members: this.#members,
      molecules: this.molecules(),
      delivered,
      commits: this.#recentCommits.toArray(),
    };
  }

  /** Replace the committed state with a snapshot (clears the overlay: rebuild it afterwards). */
  restore(s: Snapshot): void {
    this.#copies.clear();
    this.#bags.clear();
    this.#committedCount = 0;
    this.#removedCount = 0;
    this.#delivered.clear();
    this.#lastSource = null;
    this.#lastDelivered = null;
    for (const m of s.molecules) this.#commitCopy(m);
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

  /** All committed molecules, as a new array (a loop, not a generator: a snapshot takes it at every compaction). */
  molecules(): DistributedMolecule[] {
    const out: DistributedMolecule[] = [];
    for (const c of this.#copies.values()) if (c.committed) out.push(c.committed);
    return out;
  }

  #rememberCommit(claimId: ClaimId): void {
    this.#recentCommits.add(claimId);
  }

  /** The emissions of `source` (made when `make`). */
  #source(source: string, make: boolean): Delivered | undefined {
    if (source === this.#lastSource) return this.#lastDelivered as Delivered;
    let d = this.#delivered.get(source);
    if (!d) {
      if (!make) return undefined;
      this.#delivered.set(source, (d = new Delivered()));
    }
    this.#lastSource = source;
    this.#lastDelivered = d;
    return d;
  }

  /** The record of `m`'s copy, made (in no bag yet) if there is none. */
  #copyOf(m: DistributedMolecule): Copy {
    let c = this.#copies.get(m.id);
    if (!c) this.#copies.set(m.id, (c = new Copy(this.#bags.of(m.reactor, m.name))));
    return c;
  }
  #intoBag(c: Copy): void {
    if (c.at < 0) c.bag.add(c, c.heldUntil !== 0);
  }
  /** `m` is in the committed state now (and out of the tail); `known`: its record, if the caller has it. */
  #commitCopy(m: DistributedMolecule, known?: Copy): void {
    const c = known ?? this.#copyOf(m);
    if (c.committed === undefined) this.#committedCount++;
    c.committed = m;
    c.tail = undefined;
    this.#intoBag(c);
  }
  #addTail(m: DistributedMolecule): Copy {
    const c = this.#copyOf(m);
    c.tail = m;
    this.#intoBag(c);
    return c;
  }
  /** The tail no longer has the copy: it leaves its bag unless the committed state has it. */
  #dropTail(c: Copy, id: MoleculeId): void {
    c.tail = undefined;
    if (c.committed === undefined) this.#forget(c, id);
  }
  /** Neither the committed state nor the tail has the copy any more. */
  #forget(c: Copy, id: MoleculeId): void {
    if (c.committed !== undefined) this.#committedCount--;
    if (c.removed) this.#removedCount--;
    c.committed = undefined;
    c.tail = undefined;
    c.removed = false;
    c.gone = true;
    c.bag.delete(c);
    this.#copies.delete(id);
  }
}

const isRemoved = (c: Copy): boolean => c.removed;
