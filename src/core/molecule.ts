// Molecule handles and the input patterns built from them. A handle is created by `r.molecule(...)` inside a
// reactor definition and belongs to that definition forever (a molecule is bound to exactly one reactor).
// Handles carry no per-machine state: several machines in one process may load the same definition, so
// each machine keeps its own bags and looks them up by the handle's index within its definition.
import type { ReactorId } from './ids';

export type MoleculeKind = 'molecule' | 'blocking' | 'latched';

/**
 * What a reaction body receives for a consumed blocking molecule: the argument, and the one way to answer.
 * `reply` returns false when the caller already timed out, was already answered, or is gone.
 */
export interface Call<A, R> {
  readonly value: A;
  reply(result: R): boolean;
}

/** Options of a blocking emission. */
export interface CallOptions {
  /** Reject with `TimeoutError` if no reply arrives within this many milliseconds. */
  readonly timeoutMs?: number;
}

/**
 * Something that can stand in a reaction's input list: a molecule, or a molecule narrowed by `when`/`is`.
 * `V` is what the body receives at that position.
 */
export interface Input<V> {
  readonly molecule: AnyMolecule;
  /**
   * Single-molecule guard (`m.when(pred)`); sees the value, or the argument of a blocking molecule. Must be a
   * pure function of a value that is never mutated: the machine remembers copies known to fail it.
   */
  readonly predicate: ((value: never) => boolean) | undefined;
  /** Value pattern (`m.is(v)`): structural equality with this value. */
  readonly pattern: { readonly value: unknown } | undefined;
  /** Type-level only: never set at run time. */
  readonly __value?: V;
}

interface Handle<K extends MoleculeKind> {
  readonly name: string;
  readonly kind: K;
  /** Lives in the room (shared by every peer running the same reactor) rather than in this peer. */
  readonly distributed: boolean;
  /** Emitted once when the reactor loads; every reaction consuming it re-emits it exactly once. */
  readonly static: boolean;
}

/** A plain molecule carrying a `T` (`void`: no payload). */
export interface Molecule<T = void> extends Handle<'molecule'>, Input<T> {
  when(predicate: (value: T) => boolean): Input<T>;
  is(value: T): Input<T>;
}

/** A blocking molecule: emitting it returns a Promise of the reply `R`; the body sees a `Call<A, R>`. */
export interface BlockingMolecule<A = void, R = void> extends Handle<'blocking'>, Input<Call<A, R>> {
  when(predicate: (arg: A) => boolean): Input<Call<A, R>>;
  is(arg: A): Input<Call<A, R>>;
}

/** A KOS latched token: the last value emitted; reactions read it without consuming it. */
export interface LatchedMolecule<T> extends Handle<'latched'>, Input<T> {
  when(predicate: (value: T) => boolean): Input<T>;
  is(value: T): Input<T>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- variance escape hatch for heterogeneous handle lists */
export type AnyMolecule = Molecule<any> | BlockingMolecule<any, any> | LatchedMolecule<any>;
export type AnyInput = Input<any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The body's value tuple, typed from the inputs. */
export type ValuesOf<I extends readonly AnyInput[]> = { -readonly [K in keyof I]: I[K] extends Input<infer V> ? V : never };

/** `out(molecule, value)` inside a reaction body; `out(incr)` for a molecule without payload. */
export type Out = <T>(molecule: Molecule<T> | LatchedMolecule<T>, ...value: [T] extends [void] ? [value?: T] : [value: T]) => void;

/** The user-facing emitter of one molecule, as `loaded.emit.<name>`. */
export type EmitterOf<M> =
  M extends BlockingMolecule<infer A, infer R>
    ? (...args: [A] extends [void] ? [arg?: A, options?: CallOptions] : [arg: A, options?: CallOptions]) => Promise<R>
    : M extends Molecule<infer T>
      ? (...args: [T] extends [void] ? [value?: T] : [value: T]) => void
      : M extends LatchedMolecule<infer T>
        ? (value: T) => void
        : never;

export type Emitters<E> = { readonly [K in keyof E]: EmitterOf<E[K]> };

/**
 * Run-time handle. `owner` identifies the defining reactor (by object identity, never global state);
 * `index` is the molecule's position in that reactor, used by machines to find their bag.
 */
/** Identity of the defining reactor; `id` is filled in once the definition's hash is known. */
export interface ReactorToken {
  readonly name: string;
  id: ReactorId | undefined;
}

export class MoleculeHandle implements Handle<MoleculeKind> {
  readonly molecule: AnyMolecule = this as unknown as AnyMolecule;
  readonly predicate = undefined;
  readonly pattern = undefined;

  constructor(
    readonly owner: ReactorToken,
    readonly index: number,
    readonly name: string,
    readonly kind: MoleculeKind,
    readonly distributed: boolean,
    isStatic: boolean,
    /** Value emitted at load time for static molecules. */
    readonly staticValue: unknown,
  ) {
    this.static = isStatic;
  }

  readonly static: boolean;

  when(predicate: (value: never) => boolean): AnyInput {
    if (typeof predicate !== 'function') throw new Error(`${this.name}.when(...) needs a predicate function`);
    return { molecule: this.molecule, predicate, pattern: undefined };
  }

  is(value: unknown): AnyInput {
    return { molecule: this.molecule, predicate: undefined, pattern: { value } };
  }
}

/** The run-time handle behind any typed molecule or input. */
export const handleOf = (input: AnyInput): MoleculeHandle => {
  const m = (input as { molecule?: unknown }).molecule;
  if (!(m instanceof MoleculeHandle)) throw new Error('reaction input is not a molecule declared with r.molecule/r.blocking/r.latched');
  return m;
};
