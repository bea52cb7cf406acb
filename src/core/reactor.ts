// The reactor definition DSL: `reactor(meta, (r) => { ...molecules, reactions...; return emitters })`.
// `define` runs once, synchronously, at definition time: every mistake that can be caught without running
// (duplicate names, a molecule bound to two reactors, bad options) throws here, with a precise message.
import type { ReactorInfo } from './distributed-port';
import type { PeerId, ReactorId } from './ids';
import {
  MoleculeHandle,
  handleOf,
  type AnyInput,
  type AnyMolecule,
  type BlockingMolecule,
  type LatchedMolecule,
  type Molecule,
  type Out,
  type ReactorToken,
  type ValuesOf,
} from './molecule';
import { reactorIdOf } from './reactor-id';

export interface ReactorMeta {
  readonly name: string;
  readonly version: string;
  /** Module URL that defines the reactor (`import.meta.url`); the worker pool imports it to run `pool` bodies. */
  readonly module?: string;
}

export interface MoleculeOptions<T> {
  /** Lives in the room: any peer running this reactor may consume it, exactly once. */
  readonly distributed?: boolean;
  /** Makes the molecule static: emitted with this value when the reactor loads. */
  readonly static?: T;
}

export interface RetryPolicy {
  /** Total runs including the first (default 10). After the last failure the inputs are dropped. */
  readonly attempts?: number;
  /** Delay before the first retry; doubles each time up to `maxBackoffMs` (defaults 1 ms and 1,000 ms). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface ReactionOptions<V> {
  /** Cross-molecule guard over the whole input tuple; the reaction starts only when it holds. */
  readonly guard?: (values: V) => boolean;
  /** On throw, run the body again with the same inputs (after a backoff) instead of dropping them. */
  readonly retry?: boolean | RetryPolicy;
  /** Run the body in the reaction pool (a worker); it must not close over anything but its inputs. */
  readonly pool?: boolean;
  /** Max runs of this reaction in flight on one peer: default 1 with distributed inputs, else unbounded. */
  readonly concurrency?: number;
}

/** Third argument of every body. `signal` aborts when the reactor is unloaded or the machine disposed. */
export interface ReactionContext {
  readonly reactor: ReactorId;
  readonly reaction: string;
  readonly peer: PeerId;
  readonly signal: AbortSignal;
}

export type ReactionBody<V> = (values: V, out: Out, ctx: ReactionContext) => void | Promise<void>;

export interface ReactorBuilder {
  molecule<T = void>(name: string, options?: MoleculeOptions<T>): Molecule<T>;
  blocking<A = void, R = void>(name: string, options?: { readonly distributed?: boolean }): BlockingMolecule<A, R>;
  latched<T>(name: string): LatchedMolecule<T>;
  react<const I extends readonly AnyInput[]>(
    name: string,
    inputs: I,
    body: ReactionBody<ValuesOf<I>>,
    options?: ReactionOptions<ValuesOf<I>>,
  ): void;
}

/** One input position of a reaction, normalised. */
export interface InputSpec {
  readonly molecule: MoleculeHandle;
  readonly predicate: ((value: unknown) => boolean) | undefined;
  readonly pattern: { readonly value: unknown } | undefined;
}

/** A reaction as the machine (and the worker pool) sees it. */
export interface ReactionSpec {
  readonly index: number;
  readonly name: string;
  readonly inputs: readonly InputSpec[];
  readonly body: ReactionBody<unknown[]>;
  readonly guard: ((values: unknown[]) => boolean) | undefined;
  readonly retry: Required<RetryPolicy> | undefined;
  readonly pool: boolean;
  readonly concurrency: number;
  /** At least one input is a distributed molecule: runs claim → body → commit through the port. */
  readonly distributed: boolean;
}

export interface ReactorDefinition<E = Record<string, AnyMolecule>> {
  readonly id: ReactorId;
  readonly name: string;
  readonly version: string;
  readonly module: string | undefined;
  readonly molecules: readonly MoleculeHandle[];
  readonly reactions: readonly ReactionSpec[];
  /** What `define` returned: the handles the user gets emitters for. */
  readonly exports: E;
  /** How other peers see this reactor (no code). */
  readonly info: ReactorInfo;
  molecule(name: string): MoleculeHandle | undefined;
  reaction(name: string): ReactionSpec | undefined;
}

const DEFAULT_RETRY: Required<RetryPolicy> = { attempts: 10, backoffMs: 1, maxBackoffMs: 1000 };

/** Declare a reactor. `define` must be pure and deterministic: it may run again in a pool worker. */
export function reactor<E extends Record<string, AnyMolecule>>(meta: ReactorMeta, define: (r: ReactorBuilder) => E): ReactorDefinition<E> {
  if (!meta.name || typeof meta.name !== 'string') throw new Error('reactor(...) needs a non-empty name');
  if (typeof meta.version !== 'string') throw new Error(`reactor "${meta.name}" needs a version string`);
  const owner: ReactorToken = { name: meta.name, id: undefined };
  const molecules: MoleculeHandle[] = [];
  const reactions: ReactionSpec[] = [];
  const sources: { name: string; inputs: string[]; source: string }[] = [];
  let open = true;
  const where = (what: string): string => `reactor "${meta.name}": ${what}`;

  const declare = (name: string, kind: MoleculeHandle['kind'], distributed: boolean, isStatic: boolean, staticValue: unknown): MoleculeHandle => {
    if (!open) throw new Error(where(`molecule "${name}" declared after define() returned`));
    if (!name || typeof name !== 'string') throw new Error(where('molecule names must be non-empty strings'));
    if (molecules.some((m) => m.name === name)) throw new Error(where(`molecule "${name}" is declared twice`));
    const h = new MoleculeHandle(owner, molecules.length, name, kind, distributed, isStatic, staticValue);
    molecules.push(h);
    return h;
  };

  const builder: ReactorBuilder = {
    molecule<T>(name: string, options?: MoleculeOptions<T>): Molecule<T> {
      const isStatic = options !== undefined && 'static' in options;
      if (isStatic && options.distributed) throw new Error(where(`static molecule "${name}" cannot be distributed`));
      return declare(name, 'molecule', options?.distributed ?? false, isStatic, options?.static) as unknown as Molecule<T>;
    },
    blocking<A, R>(name: string, options?: { readonly distributed?: boolean }): BlockingMolecule<A, R> {
      return declare(name, 'blocking', options?.distributed ?? false, false, undefined) as unknown as BlockingMolecule<A, R>;
    },
    latched<T>(name: string): LatchedMolecule<T> {
      return declare(name, 'latched', false, false, undefined) as unknown as LatchedMolecule<T>;
    },
    react(name, inputs, body, options) {
      if (!open) throw new Error(where(`reaction "${name}" declared after define() returned`));
      if (!name || typeof name !== 'string') throw new Error(where('reaction names must be non-empty strings'));
      if (reactions.some((r) => r.name === name)) throw new Error(where(`reaction "${name}" is declared twice`));
      if (!Array.isArray(inputs) || inputs.length === 0) throw new Error(where(`reaction "${name}" needs at least one input`));
      if (typeof body !== 'function') throw new Error(where(`reaction "${name}" needs a body function`));
      const specs = (inputs as readonly AnyInput[]).map((input): InputSpec => {
        const m = handleOf(input);
        if (m.owner !== owner) throw new Error(where(`reaction "${name}" consumes molecule "${m.name}" of another reactor; a molecule is bound to exactly one reactor`));
        return { molecule: m, predicate: input.predicate as ((v: unknown) => boolean) | undefined, pattern: input.pattern };
      });
      for (const s of specs) {
        if (s.molecule.static && specs.filter((x) => x.molecule === s.molecule).length > 1)
          throw new Error(where(`reaction "${name}" consumes static molecule "${s.molecule.name}" twice`));
      }
      if (specs.every((s) => s.molecule.kind === 'latched') && specs.length !== new Set(specs.map((s) => s.molecule)).size)
        throw new Error(where(`reaction "${name}" reads the same latched token twice`));
      const distributed = specs.some((s) => s.molecule.distributed);
      // A distributed run's outputs wait for its commit, and a fenced run is undone: a static molecule (one
      // local copy, re-emitted by its consumer) cannot take part in that, so the combination is refused.
      if (distributed && specs.some((s) => s.molecule.static))
        throw new Error(where(`reaction "${name}" mixes distributed inputs with static molecules; keep static molecules in local reactions`));
      const concurrency = options?.concurrency ?? (distributed ? 1 : Infinity);
      if (!(concurrency >= 1) || (Number.isFinite(concurrency) && !Number.isInteger(concurrency)))
        throw new Error(where(`reaction "${name}": concurrency must be a positive integer`));
      const retry = options?.retry ? { ...DEFAULT_RETRY, ...(options.retry === true ? {} : options.retry) } : undefined;
      reactions.push({
        index: reactions.length,
        name,
        inputs: specs,
        body: body as unknown as ReactionBody<unknown[]>,
        guard: options?.guard as ((values: unknown[]) => boolean) | undefined,
        retry,
        pool: options?.pool ?? false,
        concurrency,
        distributed,
      });
      sources.push({
        name,
        inputs: specs.map((s) => `${s.molecule.name}${s.predicate ? ` when ${String(s.predicate)}` : ''}${s.pattern ? ` is ${JSON.stringify(s.pattern.value)}` : ''}`),
        source: [String(body), options?.guard ? `guard ${String(options.guard)}` : '', `retry=${!!retry} pool=${!!options?.pool} concurrency=${concurrency}`].join('\n'),
      });
    },
  };

  const exports = define(builder);
  open = false;
  for (const [key, value] of Object.entries(exports ?? {})) {
    if (!(value instanceof MoleculeHandle) || value.owner !== owner)
      throw new Error(where(`define() returned "${key}", which is not a molecule of this reactor`));
  }
  const id = reactorIdOf({
    name: meta.name,
    version: meta.version,
    molecules: molecules.map((m) => `${m.name}:${m.kind}${m.distributed ? ':distributed' : ''}${m.static ? ':static' : ''}`),
    reactions: sources,
  });
  owner.id = id;
  const info: ReactorInfo = {
    id,
    name: meta.name,
    version: meta.version,
    molecules: molecules.map((m) => ({ name: m.name, kind: m.kind, distributed: m.distributed, static: m.static })),
  };
  const moleculeByName = new Map(molecules.map((m) => [m.name, m]));
  const reactionByName = new Map(reactions.map((r) => [r.name, r]));
  return {
    id,
    name: meta.name,
    version: meta.version,
    module: meta.module,
    molecules,
    reactions,
    exports,
    info,
    molecule: (name) => moleculeByName.get(name),
    reaction: (name) => reactionByName.get(name),
  };
}
