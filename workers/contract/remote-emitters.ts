// A reactor's exported molecules as the UI emits them through the machine worker. The names and value types
// come from the reactor's own declaration (the same `exports` that give `loaded.emit` its types), so a view
// cannot emit a molecule the reactor lacks or a value of the wrong shape; each emission resolves once the
// worker accepted it.
import type { AnyMolecule, BlockingMolecule, LatchedMolecule, Molecule } from '../../src/core/molecule';
import type { ReactorDefinition } from '../../src/core/reactor';
import type { MachineClient } from './room-view';

export type RemoteEmitterOf<M> =
  M extends BlockingMolecule<infer A, infer R>
    ? (...args: [A] extends [void] ? [arg?: A, timeoutMs?: number] : [arg: A, timeoutMs?: number]) => Promise<R>
    : M extends Molecule<infer T>
      ? (...args: [T] extends [void] ? [value?: T] : [value: T]) => Promise<void>
      : M extends LatchedMolecule<infer T>
        ? (value: T) => Promise<void>
        : never;

export type RemoteEmitters<E> = { readonly [K in keyof E]: RemoteEmitterOf<E[K]> };

export function remoteEmitters<E>(client: MachineClient, definition: ReactorDefinition<E>): RemoteEmitters<E> {
  const emitters: Record<string, unknown> = {};
  for (const [key, handle] of Object.entries(definition.exports as Record<string, AnyMolecule>)) {
    emitters[key] =
      handle.kind === 'blocking'
        ? (arg?: unknown, timeoutMs?: number) => client.call(definition.name, handle.name, arg, timeoutMs)
        : (value?: unknown) => client.emit(definition.name, handle.name, value);
  }
  return emitters as RemoteEmitters<E>;
}
