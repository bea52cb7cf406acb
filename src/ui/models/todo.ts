// The todo view's model: the list as this peer sees it, and the actions a person can take on it.
import { remoteEmitters, type RemoteEmitters } from '../../../workers/contract/remote-emitters';
import type { MachineClient, RoomView } from '../../../workers/contract/room-view';
import { todo, TODO_TEXT_MAX, TodoItemSchema, type TodoItem } from '../../reactors/todo';
import { newId } from '../lib/ids';
import { pendingValuesOf, valuesOf } from './soup';

export type TodoFilter = 'all' | 'active' | 'done';

/** Every item in the room, oldest first (ties broken by id, so all peers list them in one order). */
export function todoItems(view: RoomView | null): TodoItem[] {
  const byId = new Map<string, TodoItem>();
  for (const item of valuesOf(view, 'todo', 'item', TodoItemSchema)) byId.set(item.id, item);
  return [...byId.values()].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Items this peer added that the room does not have yet (offline: they wait in its outbox). */
export function pendingTodoIds(view: RoomView | null): Set<string> {
  return new Set(pendingValuesOf(view, 'todo', 'item', TodoItemSchema).map((i) => i.id));
}

export function filterTodos(items: readonly TodoItem[], filter: TodoFilter): TodoItem[] {
  if (filter === 'active') return items.filter((i) => !i.done);
  if (filter === 'done') return items.filter((i) => i.done);
  return [...items];
}

/** Emits the todo reactor's molecules; each returns when the worker accepted the molecule. */
export class TodoActions {
  readonly #emit: RemoteEmitters<typeof todo.exports>;
  constructor(client: MachineClient) {
    this.#emit = remoteEmitters(client, todo);
  }

  add(text: string): Promise<void> {
    return this.#emit.add({ id: newId(), text: text.slice(0, TODO_TEXT_MAX), at: Date.now() });
  }

  /** Saving an empty text deletes the item, as in TodoMVC. */
  edit(id: string, text: string): Promise<void> {
    return text.trim() ? this.#emit.edit({ id, text }) : this.remove(id);
  }

  mark(id: string, done: boolean): Promise<void> {
    return this.#emit.mark({ id, done });
  }

  remove(id: string): Promise<void> {
    return this.#emit.remove({ id });
  }

  /** Removes the completed items this peer sees — not ones someone else completes meanwhile. */
  async clearCompleted(items: readonly TodoItem[]): Promise<void> {
    await Promise.all(items.filter((i) => i.done).map((i) => this.remove(i.id)));
  }

  /** Marks every item done, or every item open when all are done already. */
  async markAll(items: readonly TodoItem[]): Promise<void> {
    const done = items.some((i) => !i.done);
    await Promise.all(items.filter((i) => i.done !== done).map((i) => this.mark(i.id, done)));
  }
}
