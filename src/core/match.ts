// The general join-pattern search: pick one copy per input such that repeated inputs take distinct copies,
// value patterns and `when` predicates hold per copy, and the cross-molecule guard holds for the tuple.
// It is a bounded depth-first search (inputs are few; copies may be many): every candidate tried counts
// against a budget, so a pathological guard cannot freeze the machine, and the steps are measured.
import { equalValues } from './equal';
import type { InputSpec } from './reactor';

/** Where one input position takes its copies from: a local bag, a latched token, or the room's replica. */
export interface Source {
  readonly size: number;
  /** What `when`/`is` test: the value, or a blocking molecule's argument. */
  key(i: number): unknown;
  /** What the body (and the cross guard) receives. */
  item(i: number): unknown;
  /** Latched tokens are read, not consumed: the same copy may serve several positions. */
  readonly consumable: boolean;
}

export interface SearchBudget {
  steps: number;
  /** Absolute step count at which this search gives up. */
  limit: number;
  exhausted: boolean;
}

/**
 * Fill `chosen[k]` with a copy index into `sources[k]` for every input position; true when a match exists.
 * `offsets[k]` rotates where position k starts looking (distributed copies: peers spread over different
 * copies so their claims do not collide); local bags start at the oldest copy.
 */
export function findMatch(
  inputs: readonly InputSpec[],
  sources: readonly Source[],
  guard: ((values: unknown[]) => boolean) | undefined,
  chosen: number[],
  budget: SearchBudget,
  offsets?: readonly number[],
): boolean {
  const n = inputs.length;
  const place = (k: number): boolean => {
    if (k === n) {
      if (!guard) return true;
      const values = new Array<unknown>(n);
      for (let p = 0; p < n; p++) values[p] = (sources[p] as Source).item(chosen[p] as number);
      return guard(values);
    }
    const src = sources[k] as Source;
    const input = inputs[k] as InputSpec;
    const size = src.size;
    const off = offsets ? (offsets[k] ?? 0) % Math.max(1, size) : 0;
    for (let j = 0; j < size; j++) {
      if (++budget.steps > budget.limit) {
        budget.exhausted = true;
        return false;
      }
      const i = off + j < size ? off + j : off + j - size;
      if (src.consumable && takenEarlier(sources, chosen, k, src, i)) continue;
      if (input.pattern && !equalValues(src.key(i), input.pattern.value)) continue;
      if (input.predicate && !input.predicate(src.key(i))) continue;
      chosen[k] = i;
      if (place(k + 1)) return true;
      if (budget.exhausted) return false;
    }
    return false;
  };
  return place(0);
}

function takenEarlier(sources: readonly Source[], chosen: readonly number[], k: number, src: Source, i: number): boolean {
  for (let p = 0; p < k; p++) if (sources[p] === src && chosen[p] === i) return true;
  return false;
}
