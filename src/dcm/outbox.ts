// The persistent outbox: emitting into the room never throws and never waits for the network. Each
// emission gets a (source, seq) key, sits in the store until the replica applies its emit entry, and is
// sent again to every new sequencer until then; the log applies each key at most once (exactly once).
//
// Each process emits under a source of its own (peer id + a fresh incarnation): two processes of one peer
// sharing a store (two tabs without Web Locks), or a process whose store was restored from an older copy,
// never hand out the same (source, seq) for different molecules — the room would drop one as a duplicate
// and its emitter would delete it as delivered. Items restored from the store keep the source they were
// made under and are resent under it. Seqs are handed out in persisted blocks as well.
import type { DistributedMolecule } from '../core/distributed-port';
import { asReactorId } from '../core/ids';
import { emitKey, emittedMoleculeId } from './ids';
import { Persistence, type OutboxItem } from './persistence';

const BLOCK = 1000;
const MAX_BATCH = 256;

/** An item waiting for delivery: as stored (its store key), and the source it was made under. */
interface Queued {
  readonly stored: OutboxItem;
  readonly source: string;
}

export class Outbox {
  /** This process's source: new emissions go under it. */
  readonly source: string;
  readonly #items = new Map<string, Queued>();
  /** Every source an item was ever queued under: another source's applied emit is not ours (no key built). */
  readonly #sources = new Set<string>();
  readonly #persistence: Persistence;
  readonly #onSendable: () => void;
  readonly #onDurable: (seq: number) => void;
  /** Outbox writes not landed yet (flush waits for them). */
  readonly #writing = new Set<Promise<void>>();
  #next: number;
  /** Seqs below this are covered by a durable block reservation: only those may leave this peer. */
  #durableLimit: number;

  /** `legacy`: the source of restored items written without one (older stores kept it in meta.source). */
  constructor(persistence: Persistence, source: string, restored: readonly OutboxItem[], legacy: string, onSendable: () => void, onDurable: (seq: number) => void = () => undefined) {
    this.#persistence = persistence;
    this.#onSendable = onSendable;
    this.#onDurable = onDurable;
    this.source = source;
    this.#durableLimit = persistence.meta.nextSeqLimit;
    for (const stored of restored) {
      const q = { stored, source: stored.source ?? legacy };
      this.#items.set(emitKey(q.source, stored.seq), q);
      this.#sources.add(q.source);
    }
    this.#sources.add(source);
    this.#next = persistence.meta.nextSeqLimit + 1;
    // The first block now: a process's first emissions are sendable at once — before, a burst emitted right
    // after start waited for its reservation's write and then went out without the local-first match (its
    // emitter, a host, saw its own copies only when the log brought them back: bench dcm's map/reduce began
    // 15-30 ms late on every peer).
    this.#track(this.#persistence.write([], { nextSeqLimit: this.#next + BLOCK }), 0, this.#next + BLOCK);
  }

  get size(): number {
    return this.#items.size;
  }

  /**
   * Queue a molecule. The store write is queued, never awaited here. Returns whether it may be sent now:
   * a seq beyond the durable block reservation waits for the reservation's write (then onSendable fires).
   */
  add(reactor: string, name: string, value: unknown): { item: OutboxItem; sendable: boolean } {
    const seq = this.#next++;
    const item: OutboxItem = { source: this.source, seq, reactor, name, value };
    this.#items.set(emitKey(this.source, seq), { stored: item, source: this.source });
    const ops = [Persistence.outboxPut(item)];
    // The next block is reserved once half of this one is handed out, so its write has landed before a
    // steady stream of emissions reaches the limit (a seq past it would wait for the write).
    const limit = this.#persistence.queued.nextSeqLimit;
    const reserve = seq + BLOCK / 2 >= limit ? Math.max(seq, limit) + BLOCK : 0;
    this.#track(this.#persistence.write(ops, reserve ? { nextSeqLimit: reserve } : undefined), seq, reserve);
    return { item, sendable: seq < this.#durableLimit };
  }

  /** A write of the outbox: `flush` waits for it; once it lands, `seq` (0: none) is durable and `reserve` (0: none) reserved. */
  #track(write: Promise<void>, seq: number, reserve: number): void {
    this.#writing.add(write);
    const done = (): boolean => this.#writing.delete(write);
    write.then(
      () => {
        done();
        if (seq > 0) this.#onDurable(seq);
        if (reserve > this.#durableLimit) {
          this.#durableLimit = reserve;
          this.#onSendable();
        }
      },
      () => done() /* reported through the store's onError (the replica stops: fail-stop); flush() rejects */,
    );
  }

  /**
   * Resolves once every emission queued so far is durable in this peer's store: from then on it is never
   * lost (it is resent until applied, across crashes). Rejects when one of those writes failed.
   */
  async flush(): Promise<void> {
    await Promise.all([...this.#writing]);
  }

  /** The molecule of an item this process made (`add`). */
  molecule(item: OutboxItem): DistributedMolecule {
    return this.#molecule({ stored: item, source: item.source ?? this.source });
  }

  #molecule(q: Queued): DistributedMolecule {
    const { seq, reactor, name, value } = q.stored;
    return { id: emittedMoleculeId(q.source, seq), reactor: asReactorId(reactor), name, value };
  }

  /** The replica applied an emit entry: if it is one of ours, it is delivered; forget it. */
  delivered(source: string, seq: number): void {
    if (!this.#sources.has(source)) return; // another peer's emission (most of them)
    const key = emitKey(source, seq);
    const q = this.#items.get(key);
    if (!q) return;
    this.#items.delete(key);
    void this.#persistence.write([Persistence.outboxDelete(q.stored)]).catch(() => undefined);
  }

  /** Every emission still queued, oldest first. */
  *queued(): Generator<DistributedMolecule> {
    for (const q of this.#items.values()) yield this.#molecule(q);
  }

  /**
   * Everything still queued, as emit-message batches (this process's items once their block is durable),
   * less what `skip` says need not go again; the oldest `limit` of them.
   */
  batches(skip?: (source: string, seq: number) => boolean, limit = Infinity): { source: string; seq: number; molecule: DistributedMolecule }[][] {
    const all: { source: string; seq: number; molecule: DistributedMolecule }[] = [];
    for (const q of this.#items.values()) {
      if (all.length >= limit) break;
      if ((q.source !== this.source || q.stored.seq < this.#durableLimit) && !skip?.(q.source, q.stored.seq))
        all.push({ source: q.source, seq: q.stored.seq, molecule: this.#molecule(q) });
    }
    const out: (typeof all)[] = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) out.push(all.slice(i, i + MAX_BATCH));
    return out;
  }

  /** After a snapshot install: drop every emission the room already applied. */
  reconcile(delivered: (source: string, seq: number) => boolean): void {
    for (const q of [...this.#items.values()]) if (delivered(q.source, q.stored.seq)) this.delivered(q.source, q.stored.seq);
  }

  has(source: string, seq: number): boolean {
    return this.#items.has(emitKey(source, seq));
  }
}

