// The persistent outbox: emitting into the room never throws and never waits for the network. Each
// emission gets a (source, seq) key, sits in the store until the replica applies its emit entry, and is
// sent again to every new sequencer until then; the log applies each key at most once (exactly once).
//
// Seqs are handed out in persisted blocks: a restart continues above the last block, so a seq that might
// have reached a sequencer before a crash is never reused for a different molecule.
import type { DistributedMolecule } from '../core/distributed-port';
import { asReactorId } from '../core/ids';
import { emittedMoleculeId } from './ids';
import { Persistence, type OutboxItem } from './persistence';

const BLOCK = 1000;
const MAX_BATCH = 256;

export class Outbox {
  readonly source: string;
  readonly #items = new Map<number, OutboxItem>();
  readonly #persistence: Persistence;
  readonly #onSendable: () => void;
  readonly #onDurable: (seq: number) => void;
  /** Outbox writes not landed yet (flush waits for them). */
  readonly #writing = new Set<Promise<void>>();
  #next: number;
  /** Seqs below this are covered by a durable block reservation: only those may leave this peer. */
  #durableLimit: number;

  constructor(persistence: Persistence, source: string, restored: readonly OutboxItem[], onSendable: () => void, onDurable: (seq: number) => void = () => undefined) {
    this.#persistence = persistence;
    this.#onSendable = onSendable;
    this.#onDurable = onDurable;
    this.source = source;
    this.#durableLimit = persistence.meta.nextSeqLimit;
    for (const item of restored) this.#items.set(item.seq, item);
    const highest = Math.max(0, ...restored.map((i) => i.seq));
    this.#next = Math.max(persistence.meta.nextSeqLimit, highest) + 1;
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
    const item: OutboxItem = { seq, reactor, name, value };
    this.#items.set(seq, item);
    const ops = [Persistence.outboxPut(item)];
    const reserve = seq >= this.#persistence.queued.nextSeqLimit ? seq + BLOCK : 0;
    const write = this.#persistence.write(ops, reserve ? { nextSeqLimit: reserve } : undefined);
    this.#writing.add(write);
    const done = (): boolean => this.#writing.delete(write);
    write.then(
      () => {
        done();
        this.#onDurable(seq);
        if (reserve > this.#durableLimit) {
          this.#durableLimit = reserve;
          this.#onSendable();
        }
      },
      () => done() /* reported through the store's onError (the replica stops: fail-stop); flush() rejects */,
    );
    return { item, sendable: seq < this.#durableLimit };
  }

  /**
   * Resolves once every emission queued so far is durable in this peer's store: from then on it is never
   * lost (it is resent until applied, across crashes). Rejects when one of those writes failed.
   */
  async flush(): Promise<void> {
    await Promise.all([...this.#writing]);
  }

  molecule(item: OutboxItem): DistributedMolecule {
    return { id: emittedMoleculeId(this.source, item.seq), reactor: asReactorId(item.reactor), name: item.name, value: item.value };
  }

  /** The replica applied our emit entry: the emission is delivered; forget it. */
  delivered(seq: number): void {
    if (!this.#items.delete(seq)) return;
    void this.#persistence.write([Persistence.outboxDelete(seq)]).catch(() => undefined);
  }

  /** Every emission still queued, oldest first. */
  *queued(): Generator<DistributedMolecule> {
    for (const item of this.#items.values()) yield this.molecule(item);
  }

  /** Everything still queued, as emit-message batches. */
  batches(): { source: string; seq: number; molecule: DistributedMolecule }[][] {
    const all = [...this.#items.values()].filter((item) => item.seq < this.#durableLimit).map((item) => ({ source: this.source, seq: item.seq, molecule: this.molecule(item) }));
    const out: (typeof all)[] = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) out.push(all.slice(i, i + MAX_BATCH));
    return out;
  }

  /** After a snapshot install: drop every emission the room already applied. */
  reconcile(delivered: (source: string, seq: number) => boolean): void {
    for (const seq of [...this.#items.keys()]) if (delivered(this.source, seq)) this.delivered(seq);
  }

  has(seq: number): boolean {
    return this.#items.has(seq);
  }
}

/** A fresh outbox identity for a store that has none: the peer id plus a random incarnation. */
