// The example reactors, by name: what the machine worker loads and the views emit into.
import type { ReactorDefinition } from '../core/reactor';
import { broadcast } from './broadcast';
import { chat } from './chat';
import { counter } from './counter';
import { mapreduce } from './mapreduce';
import { todo } from './todo';

export { broadcast, chat, counter, mapreduce, todo };
export type { TodoItem, TodoAdd, TodoEdit, TodoMark, TodoRef } from './todo';
export type { ChatPost, ChatDirect, ChatMember, ChatJoin, ChatSay } from './chat';
export type { MapJob, MapPartial, MapStart, MapReport } from './mapreduce';
export type { BroadcastHeard } from './broadcast';
export { TODO_TEXT_MAX } from './todo';
export { CHAT_TEXT_MAX } from './chat';
export { MAP_MAX_JOBS, MAP_MAX_COST_MS, sumOfSquares } from './mapreduce';

/** A molecule the app emits every time it loads a reactor; must be harmless when repeated. */
export interface SeedMolecule {
  readonly molecule: string;
  readonly value?: unknown;
}

export interface ExampleReactor {
  readonly definition: ReactorDefinition;
  /** One line for the Reactors panel. */
  readonly summary: string;
  /** Loaded when a room opens (the broadcast example is a library sample, loaded on demand). */
  readonly autoload: boolean;
  /**
   * Emitted after each load. The counter seeds `count(0)`: no peer can know it is the first, so every
   * peer seeds and the reactor merges the copies (0 changes no sum).
   */
  readonly seed: readonly SeedMolecule[];
}

export const exampleReactors: Readonly<Record<string, ExampleReactor>> = {
  todo: { definition: todo, summary: 'Shared todo list: one distributed molecule per item.', autoload: true, seed: [] },
  chat: { definition: chat, summary: 'Room chat, direct messages and presence.', autoload: true, seed: [] },
  counter: {
    definition: counter,
    summary: 'Distributed counter: count(n) + incr → count(n + 1).',
    autoload: true,
    seed: [{ molecule: 'count', value: 0 }],
  },
  mapreduce: { definition: mapreduce, summary: 'Sum of squares 1..N, jobs spread over peers.', autoload: true, seed: [] },
  broadcast: { definition: broadcast, summary: "Chymyst's broadcast: every peer hears a message once.", autoload: false, seed: [] },
};

/** The example reactor registered under `name`, or null. */
export function exampleReactor(name: string): ExampleReactor | null {
  return Object.hasOwn(exampleReactors, name) ? (exampleReactors[name] ?? null) : null;
}
