// The chat view's model: room posts, direct-message threads and who is around, from the chat reactor's
// molecules. Text is only ever handed to Svelte as text (never `{@html}`), so a message cannot inject markup.
import { remoteEmitters, type RemoteEmitters } from '../../../workers/contract/remote-emitters';
import type { MachineClient, RoomView } from '../../../workers/contract/room-view';
import { chat, CHAT_TEXT_MAX, ChatDirectSchema, ChatMemberSchema, ChatPostSchema, type ChatDirect, type ChatMember, type ChatPost } from '../../reactors/chat';
import { newId } from '../lib/ids';
import { pendingValuesOf, valuesOf } from './soup';

const byTime = <T extends { at: number; id: string }>(a: T, b: T): number => a.at - b.at || (a.id < b.id ? -1 : 1);

function unique<T extends { id: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((i) => [i.id, i])).values()];
}

/** Room messages, oldest first. */
export const roomPosts = (view: RoomView | null): ChatPost[] =>
  unique(valuesOf(view, 'chat', 'post', ChatPostSchema)).sort(byTime);

/** Direct messages between this peer and `peer`, both directions, oldest first. */
export function directThread(view: RoomView | null, peer: string): ChatDirect[] {
  const received = valuesOf(view, 'chat', 'inbox', ChatDirectSchema).filter((m) => m.from === peer);
  const sent = valuesOf(view, 'chat', 'sent', ChatDirectSchema).filter((m) => m.to === peer);
  return unique([...received, ...sent]).sort(byTime);
}

/** Messages this peer sent that the room does not have yet (offline: they wait in its outbox). */
export function pendingMessageIds(view: RoomView | null): Set<string> {
  const own = [...pendingValuesOf(view, 'chat', 'post', ChatPostSchema), ...pendingValuesOf(view, 'chat', 'sent', ChatDirectSchema)];
  return new Set(own.map((m) => m.id));
}

/** Direct messages received from each peer (for unread badges). */
export function receivedCounts(view: RoomView | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of valuesOf(view, 'chat', 'inbox', ChatDirectSchema)) counts.set(m.from, (counts.get(m.from) ?? 0) + 1);
  return counts;
}

export interface ChatPerson extends ChatMember {
  online: boolean;
  isSelf: boolean;
}

/**
 * Everyone who ever joined the chat, online ones first. Names come from the newest announcement, or from
 * membership when the peer is online (a rename shows up there first).
 */
export function chatPeople(view: RoomView | null): ChatPerson[] {
  const people = new Map<string, ChatPerson>();
  for (const m of valuesOf(view, 'chat', 'member', ChatMemberSchema)) {
    const seen = people.get(m.peer);
    if (!seen || seen.at < m.at) people.set(m.peer, { ...m, online: false, isSelf: m.peer === view?.self });
  }
  for (const p of view?.peers ?? []) {
    if (p.state === 'down') continue;
    const seen = people.get(p.id);
    people.set(p.id, { peer: p.id, name: p.name || seen?.name || 'Anonymous', at: seen?.at ?? 0, online: true, isSelf: p.isSelf });
  }
  return [...people.values()].sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
}

export class ChatActions {
  readonly #emit: RemoteEmitters<typeof chat.exports>;
  readonly #name: () => string;
  constructor(client: MachineClient, name: () => string) {
    this.#emit = remoteEmitters(client, chat);
    this.#name = name;
  }

  /** To the room, or to one peer when `to` is given. */
  send(text: string, to: string | null): Promise<void> {
    const message = { id: newId(), name: this.#name(), text: text.slice(0, CHAT_TEXT_MAX), at: Date.now() };
    return to ? this.#emit.whisper({ ...message, to }) : this.#emit.say(message);
  }
}
