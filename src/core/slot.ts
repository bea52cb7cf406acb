// Per-machine run-time state of one loaded reactor's parts: a Slot per molecule (its bag or latched value
// and the reactions that consume it) and a ReactionRuntime per reaction (in-flight count, precomputed
// fast-path tables, the shared `out` and context). Built once at load, so the hot path allocates nothing.
import { Bag } from './bag';
import type { PendingCall } from './call';
import type { Source } from './match';
import type { MoleculeHandle, Out } from './molecule';
import type { ReactionContext, ReactionSpec, ReactorDefinition } from './reactor';

/** What a Slot and a ReactionRuntime need to know about their loaded reactor. */
export interface SiteRef {
  readonly loaded: boolean;
  readonly name: string;
  readonly definition: ReactorDefinition<unknown>;
}

export class Slot implements Source {
  readonly bag = new Bag();
  latest: unknown = undefined;
  hasLatest = false;
  /** Reactions with this molecule among their inputs (each listed once). */
  readonly consumers: ReactionRuntime[] = [];
  /** Where the next search starts in `consumers`: rotating it keeps competing reactions fair. */
  rot = 0;
  readonly latched: boolean;
  readonly blocking: boolean;
  readonly consumable: boolean;

  constructor(
    readonly site: SiteRef,
    readonly handle: MoleculeHandle,
  ) {
    this.latched = handle.kind === 'latched';
    this.blocking = handle.kind === 'blocking';
    this.consumable = !this.latched;
  }

  get size(): number {
    return this.latched ? (this.hasLatest ? 1 : 0) : this.bag.size;
  }

  key(i: number): unknown {
    if (this.latched) return this.latest;
    return this.blocking ? (this.bag.at(i) as PendingCall).value : this.bag.at(i);
  }

  item(i: number): unknown {
    return this.latched ? this.latest : this.bag.at(i);
  }

  knownFailing(filter: number): number {
    return this.latched ? 0 : this.bag.knownFailing(filter);
  }

  markFailing(filter: number, i: number): void {
    if (!this.latched) this.bag.markFailing(filter, i);
  }
}

export class ReactionRuntime {
  inflight = 0;
  /** Queued for another try (its concurrency freed up, or the room told us copies are available). */
  queued = false;
  /** Distributed: a claim was refused; wait for a room notification or the backoff timer before retrying. */
  waiting = false;
  /** Distributed: consecutive refusals/failures, for the backoff. */
  refusals = 0;
  /** Input position → local slot (undefined for distributed inputs). */
  readonly slots: (Slot | undefined)[];
  /** Any copy will do: no guard, pattern, predicate, latched or distributed input. */
  readonly fast: boolean;
  /** Distinct slots and how many copies each needs (fast path). */
  readonly fastSlots: Slot[] = [];
  readonly fastNeeds: number[] = [];
  /** Every input is latched: fires once per change of any of them (KOS `a := b + c`). */
  readonly latchedOnly: boolean;
  readonly blockingPositions: number[] = [];
  readonly staticPositions: number[] = [];
  /** Input position to pin when `slot` gets a fresh copy, or -1 (its molecule is repeated or absent). */
  pinFor(slot: Slot): number {
    let at = -1;
    for (let k = 0; k < this.slots.length; k++) {
      if (this.slots[k] !== slot) continue;
      if (at >= 0) return -1;
      at = k;
    }
    return at;
  }

  /** Per input position: its `when`/`is` filter id in the slot's bag, or -1. */
  readonly filters: readonly number[];
  /** Scratch space for the matcher. */
  readonly chosen: number[];
  readonly capped: boolean;

  constructor(
    readonly site: SiteRef,
    readonly spec: ReactionSpec,
    slotOf: (m: MoleculeHandle) => Slot,
    readonly ctx: ReactionContext,
    /** Shared `out` for runs that need no per-run bookkeeping (local, no static inputs). */
    public out: Out,
  ) {
    this.slots = spec.inputs.map((i) => (i.molecule.distributed ? undefined : slotOf(i.molecule)));
    this.chosen = spec.inputs.map(() => 0);
    this.filters = spec.inputs.map((input, k) => {
      const slot = this.slots[k];
      return slot && !slot.latched && (input.predicate || input.pattern) ? slot.bag.addFilter() : -1;
    });
    this.capped = Number.isFinite(spec.concurrency);
    spec.inputs.forEach((input, k) => {
      if (input.molecule.kind === 'blocking') this.blockingPositions.push(k);
      if (input.molecule.static) this.staticPositions.push(k);
    });
    this.latchedOnly = spec.inputs.every((i) => i.molecule.kind === 'latched');
    this.fast =
      !spec.distributed &&
      !spec.guard &&
      spec.inputs.every((i) => !i.predicate && !i.pattern && i.molecule.kind !== 'latched');
    if (this.fast) {
      for (const s of this.slots as Slot[]) {
        const at = this.fastSlots.indexOf(s);
        if (at >= 0) this.fastNeeds[at] = (this.fastNeeds[at] ?? 0) + 1;
        else {
          this.fastSlots.push(s);
          this.fastNeeds.push(1);
        }
      }
    }
  }
}

/** Remove the chosen copies (highest index first, so earlier indices stay valid) and return the body's values. */
export function takeChosen(sources: readonly Slot[], chosen: readonly number[]): unknown[] {
  const n = chosen.length;
  const values = new Array<unknown>(n);
  for (let k = 0; k < n; k++) values[k] = (sources[k] as Slot).item(chosen[k] as number);
  if (n > 30) {
    const order = chosen.map((_, k) => k).filter((k) => (sources[k] as Slot).consumable);
    order.sort((a, b) => (chosen[b] as number) - (chosen[a] as number));
    for (const k of order) (sources[k] as Slot).bag.removeAt(chosen[k] as number);
    return values;
  }
  // Repeatedly remove the highest remaining (slot, index): n is the number of inputs, so this beats a sort.
  let removed = 0;
  for (;;) {
    let best = -1;
    for (let k = 0; k < n; k++) {
      if ((removed & (1 << k)) !== 0 || !(sources[k] as Slot).consumable) continue;
      if (best < 0 || (chosen[k] as number) > (chosen[best] as number)) best = k;
    }
    if (best < 0) return values;
    removed |= 1 << best;
    (sources[best] as Slot).bag.removeAt(chosen[best] as number);
  }
}
