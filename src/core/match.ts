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
  /** Local bags remember copies known to fail a filter (see Bag); room sources do not. */
  knownFailing?(filter: number): number;
  markFailing?(filter: number, i: number): void;
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
 * `pinned` (a position, or -1) restricts that position to its source's newest copy: when a search is
 * triggered by a fresh copy of a molecule that appears once in the inputs, any new match must use it.
 */
export function findMatch(
  inputs: readonly InputSpec[],
  sources: readonly Source[],
  guard: ((values: unknown[]) => boolean) | undefined,
  chosen: number[],
  budget: SearchBudget,
  offsets?: readonly number[],
  pinned = -1,
  filters?: readonly number[],
): boolean {
  return place(0, { inputs, sources, guard, chosen, budget, offsets, pinned, filters });
}

interface Search {
  readonly inputs: readonly InputSpec[];
  readonly sources: readonly Source[];
  readonly guard: ((values: unknown[]) => boolean) | undefined;
  readonly chosen: number[];
  readonly budget: SearchBudget;
  readonly offsets: readonly number[] | undefined;
  readonly pinned: number;
  /** Per position: the bag filter id of its `when`/`is`, or -1. */
  readonly filters: readonly number[] | undefined;
}

// A plain recursive function over one search record, not a closure per call: the matcher runs once per
// guarded emission, and allocating (and, under some bundlers, naming) a closure each time dominated it.
function place(k: number, q: Search): boolean {
  const { sources, chosen } = q;
  const n = q.inputs.length;
  if (k === n) {
    if (!q.guard) return true;
    const values = new Array<unknown>(n);
    for (let p = 0; p < n; p++) values[p] = (sources[p] as Source).item(chosen[p] as number);
    return q.guard(values);
  }
  const src = sources[k] as Source;
  const input = q.inputs[k] as InputSpec;
  const size = src.size;
  const pinnedHere = k === q.pinned;
  const filter = q.filters && src.knownFailing ? (q.filters[k] as number) : -1;
  const skip = filter >= 0 && !pinnedHere ? (src.knownFailing as (f: number) => number)(filter) : 0;
  const off = pinnedHere ? size - 1 : q.offsets ? (q.offsets[k] ?? 0) % Math.max(1, size) : skip;
  const tries = pinnedHere ? Math.min(1, size) : size - skip;
  const budget = q.budget;
  for (let j = 0; j < tries; j++) {
    if (++budget.steps > budget.limit) {
      budget.exhausted = true;
      return false;
    }
    const i = off + j < size ? off + j : off + j - size;
    if (src.consumable && takenEarlier(sources, chosen, k, src, i)) continue;
    if ((input.pattern && !equalValues(src.key(i), input.pattern.value)) || (input.predicate && !input.predicate(src.key(i)))) {
      if (filter >= 0) (src.markFailing as (f: number, i: number) => void)(filter, i);
      continue;
    }
    chosen[k] = i;
    if (place(k + 1, q)) return true;
    if (budget.exhausted) return false;
  }
  return false;
}

function takenEarlier(sources: readonly Source[], chosen: readonly number[], k: number, src: Source, i: number): boolean {
  for (let p = 0; p < k; p++) if (sources[p] === src && chosen[p] === i) return true;
  return false;
}
