// The room's copies of one distributed input as a source for the matcher: how many candidates a search
// takes, and the candidates themselves (the port's available copies, minus those this machine is claiming).
import type { DistributedMolecule } from './distributed-port';
import type { MoleculeId } from './ids';
import type { Source } from './match';
import type { ReactionRuntime } from './slot';

/** Candidates a search looks at per distributed input: bounded so a huge room does not make every attempt O(room). */
export const MAX_CANDIDATES = 1024;
/**
 * The first search looks at this many candidates per input (the port starts them at a random point of the
 * room's copies); only when it finds no match and more copies exist does a second search take MAX_CANDIDATES.
 * With a backlog of thousands of copies, collecting 1024 of them for every run was most of a peer's CPU.
 */
export const FIRST_CANDIDATES = 16;

/**
 * No guard and no pattern or predicate on any input: any copies match, so the first search takes just as many
 * as one run consumes (the port already starts at a random copy). Walking 16 candidates per run of a plain
 * job reaction was a tenth of an in-process room's CPU (`available`, the bag walk behind it).
 */
export function anyWillDo(r: ReactionRuntime): boolean {
  if (r.spec.guard) return false;
  for (const input of r.spec.inputs) if (input.predicate || input.pattern) return false;
  return true;
}

/** The room's available copies of one molecule name, minus those this machine is already claiming. */
export class RoomSource implements Source {
  readonly consumable = true;
  readonly copies: DistributedMolecule[] = [];

  /** More copies were available than this source took. */
  truncated = false;

  constructor(
    available: Iterable<DistributedMolecule>,
    pending: ReadonlySet<MoleculeId>,
    readonly blocking: boolean,
    limit: number,
  ) {
    for (const dm of available) {
      if (pending.has(dm.id)) continue;
      if (this.copies.length === limit) {
        this.truncated = true;
        break;
      }
      this.copies.push(dm);
    }
  }

  get size(): number {
    return this.copies.length;
  }

  key(i: number): unknown {
    const v = this.copies[i]?.value;
    return this.blocking ? (v as { arg?: unknown } | undefined)?.arg : v;
  }

  /** Guards see what the body will see: a blocking copy as a Call (whose reply is not usable yet). */
  item(i: number): unknown {
    const v = this.copies[i]?.value;
    return this.blocking ? { value: (v as { arg?: unknown } | undefined)?.arg, reply: () => false } : v;
  }
}
