// The shared todo list: every peer in the room sees and edits the same items.
//
// Representation — one distributed `item` molecule per todo, not one `todos` list molecule:
// - Adds never contend. Two peers adding at once emit two independent molecules; a single list
//   molecule would make every add claim the same copy, serialising the whole room on one token and
//   re-replicating the full list on every keystroke.
// - No bootstrap problem. A single list must exist exactly once in the room, so some peer has to emit
//   `todos([])` exactly once — impossible to decide while offline. Items need no seed at all.
// - Edits to different items run in parallel on different peers (each reaction claims one item).
// - Concurrent edits are all kept: every op (`edit`, `mark`, `remove`) is a molecule of its own, consumed
//   exactly once together with its item, so each is applied in the sequencer's order; none is lost to a
//   read-modify-write race. Two renames of one item: both apply, the later one is what stays. `mark`
//   carries the wanted state (not "toggle"), so two peers ticking the same box agree instead of cancelling.
// - An op whose item was removed concurrently would wait forever; a `gone` tombstone consumes it instead.
//   Tombstones are tiny and stay in the soup; that is the price of never losing an op silently.
import * as v from 'valibot';
import { reactor } from '../core/reactor';

/** One todo as it lives in the room; the view checks every copy it reads against this schema. */
export const TodoItemSchema = v.object({
  id: v.string(),
  text: v.string(),
  done: v.boolean(),
  /** Wall-clock ms when it was added (display order). */
  at: v.number(),
  /** Peer that added it. */
  by: v.string(),
});
export type TodoItem = Readonly<v.InferOutput<typeof TodoItemSchema>>;

export interface TodoAdd {
  readonly id: string;
  readonly text: string;
  readonly at: number;
}
export interface TodoEdit {
  readonly id: string;
  readonly text: string;
}
export interface TodoMark {
  readonly id: string;
  readonly done: boolean;
}
export interface TodoRef {
  readonly id: string;
}

/** Longest todo text kept; longer input is cut, so one paste cannot bloat every replica. */
export const TODO_TEXT_MAX = 500;

export const todo = reactor({ name: 'todo', version: '1.0.0', module: import.meta.url }, (r) => {
  const item = r.molecule<TodoItem>('item', { distributed: true });
  const add = r.molecule<TodoAdd>('add');
  const edit = r.molecule<TodoEdit>('edit', { distributed: true });
  const mark = r.molecule<TodoMark>('mark', { distributed: true });
  const remove = r.molecule<TodoRef>('remove', { distributed: true });
  const gone = r.molecule<TodoRef>('gone', { distributed: true });

  // `add` is local so the adding peer stamps itself as author without a network round trip.
  r.react('add', [add], ([a], out, ctx) => {
    const text = a.text.trim().slice(0, TODO_TEXT_MAX);
    if (text) out(item, { id: a.id, text, done: false, at: a.at, by: ctx.peer });
  });
  r.react('edit', [item, edit], ([i, e], out) => out(item, { ...i, text: e.text.trim().slice(0, TODO_TEXT_MAX) || i.text }), {
    guard: ([i, e]) => i.id === e.id,
  });
  r.react('mark', [item, mark], ([i, m], out) => out(item, { ...i, done: m.done }), {
    guard: ([i, m]) => i.id === m.id,
  });
  r.react('remove', [item, remove], ([i], out) => out(gone, { id: i.id }), {
    guard: ([i, d]) => i.id === d.id,
  });
  // Ops that lost the race against a removal end here, so they do not linger as work nobody can do.
  r.react('edit-gone', [gone, edit], ([g], out) => out(gone, g), { guard: ([g, e]) => g.id === e.id });
  r.react('mark-gone', [gone, mark], ([g], out) => out(gone, g), { guard: ([g, m]) => g.id === m.id });
  r.react('remove-gone', [gone, remove], ([g], out) => out(gone, g), { guard: ([g, d]) => g.id === d.id });

  return { item, add, edit, mark, remove };
});
