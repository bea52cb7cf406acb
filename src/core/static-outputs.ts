// Static molecules (Chymyst): exactly one copy exists while the reactor is loaded, because every reaction
// consuming one must re-emit it exactly once. This tracks one run of such a reaction.
import { MoleculeHandle, type AnyMolecule, type Out } from './molecule';
import type { RunHost } from './run-host';
import type { ReactionRuntime, Slot } from './slot';

export class StaticOutputs {
  readonly #reemitted: boolean[];
  readonly out: Out;

  constructor(
    readonly s: RunHost,
    readonly r: ReactionRuntime,
  ) {
    this.#reemitted = r.staticPositions.map(() => false);
    const shared = r.out as (m: AnyMolecule, v?: unknown) => void;
    this.out = ((m: AnyMolecule, v?: unknown): void => {
      const at = m instanceof MoleculeHandle && m.static ? r.staticPositions.findIndex((k) => r.spec.inputs[k]?.molecule === m) : -1;
      if (at < 0) return shared(m, v);
      if (this.#reemitted[at]) throw new Error(`reaction "${r.spec.name}" re-emitted static molecule "${(m as MoleculeHandle).name}" twice`);
      this.#reemitted[at] = true;
      if (r.site.loaded) s.output(this.#slot(at), v);
    }) as Out;
  }

  /**
   * After the run: a consumed static that was not re-emitted is put back with the value it was consumed
   * with, so the one-copy invariant survives the mistake; a successful run that forgot is reported.
   */
  settle(values: readonly unknown[], ok: boolean): void {
    const { r, s } = this;
    r.staticPositions.forEach((k, at) => {
      if (this.#reemitted[at] || !r.site.loaded) return;
      this.#reemitted[at] = true;
      s.output(this.#slot(at), values[k]);
      if (ok) {
        const name = r.spec.inputs[k]?.molecule.name ?? '?';
        s.error(new Error(`reaction "${r.spec.name}" consumed static molecule "${name}" without re-emitting it; its consumed value was restored`), r);
      }
    });
  }

  #slot(at: number): Slot {
    return this.r.slots[this.r.staticPositions[at] as number] as Slot;
  }
}
