// What the machine worker may load into a room: the app's reactors by name, with the molecules each one
// starts with. The worker host loads from it; the view lists it.
import type { ReactorDefinition } from '../src/core/reactor';

/** The reactors a room can load, by name (the app's registry). */
export interface ReactorRegistry {
  get(name: string): { readonly definition: ReactorDefinition; readonly seed: readonly { molecule: string; value?: unknown }[] } | null;
  /** Loaded when a peer opens a room for the first time. */
  readonly autoload: readonly string[];
  readonly names: readonly string[];
}
