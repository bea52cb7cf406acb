// The sequencer's "which copies are claimed" hints: soft state that keeps peers from reaching for copies
// others hold. They are coalesced until the next turn of the event loop: an optimistic claim is usually
// followed by its commit in the same burst, and then nobody needs to hear that the copy was taken (the log
// says it is gone). Only claims still held when the burst ends are announced, and only announced ones freed.
import type { Epoch, MoleculeId } from '../core/ids';
import type { ClaimTable } from './claims';
import { flushGap, type RoomContext } from './context';
import { msg } from './messages';

export class ClaimHints {
  readonly #ctx: RoomContext;
  readonly #epoch: Epoch;
  readonly #claims: ClaimTable;
  readonly #stopped: () => boolean;
  readonly #queue = new Map<MoleculeId, boolean>();
  /** Copies we told everyone are taken and have not yet told are free again. */
  readonly #announced = new Set<MoleculeId>();
  #scheduled = false;

  constructor(ctx: RoomContext, epoch: Epoch, claims: ClaimTable, stopped: () => boolean) {
    this.#ctx = ctx;
    this.#epoch = epoch;
    this.#claims = claims;
    this.#stopped = stopped;
  }

  queue(ids: readonly MoleculeId[], taken: boolean): void {
    for (const id of ids) this.#queue.set(id, taken);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Paced like the sequencer's appends (one frame per peer per flush): see flushGap.
    this.#ctx.clock.setTimeout(() => this.#flush(), flushGap(this.#ctx.peers().length));
  }

  /** Consumed copies need no "free again" hint: forget them. */
  forget(ids: readonly MoleculeId[]): void {
    for (const id of ids) this.#announced.delete(id);
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#stopped()) return;
    const taken: MoleculeId[] = [];
    const freed: MoleculeId[] = [];
    for (const [id, t] of this.#queue) {
      if (t && this.#claims.isClaimed(id) && !this.#announced.has(id)) {
        this.#announced.add(id);
        taken.push(id);
      } else if (!this.#claims.isClaimed(id) && this.#announced.delete(id) && this.#ctx.rlog.replica.isAvailable(id)) {
        freed.push(id);
      }
    }
    this.#queue.clear();
    for (const [ids, t] of [[taken, true], [freed, false]] as const) {
      if (!ids.length) continue;
      const m = msg('claimed', { epoch: this.#epoch, ids, taken: t });
      this.#ctx.send(this.#ctx.self, m);
      for (const p of this.#ctx.peers()) this.#ctx.send(p, m);
    }
  }
}
