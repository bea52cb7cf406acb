// Room chat with direct messages, after the distributed chat in Chymyst's DCM chapter.
//
// - Room messages are `post` molecules that no reaction consumes: they stay in the room's soup, so every
//   peer's replica holds the whole history, late joiners receive it with the snapshot, and IndexedDB keeps
//   it when every tab closes. (A consumed message would reach exactly one peer — right for a direct message,
//   wrong for a room.)
// - A direct message must be consumed by its addressee only. Chymyst gives every peer a molecule named
//   after itself; here that would give every peer a different reactor (the id hashes molecule names), and
//   peers share molecules only between equal ids. Instead `direct` carries its addressee and `receive`
//   joins it with the latched `self` token, which holds this peer's own id: the guard can only hold on the
//   addressee, so no other peer ever claims the copy. The received copy becomes a local `inbox` molecule.
//   Note: addressed, not secret — until delivered, the copy sits in every replica like any molecule.
// - Presence: each peer announces itself with a `member` molecule; `member + member` of the same peer keeps
//   the newer one, so reloads and renames leave one entry per peer. Who is online *now* is membership
//   (RoomView.peers); `member` remembers names of peers that have left.
import * as v from 'valibot';
import { reactor } from '../core/reactor';

// The shapes of the molecules the view reads; it checks every copy against these schemas.

/** A message to the whole room. */
export const ChatPostSchema = v.object({ id: v.string(), from: v.string(), name: v.string(), text: v.string(), at: v.number() });
export type ChatPost = Readonly<v.InferOutput<typeof ChatPostSchema>>;

/** A message to one peer. */
export const ChatDirectSchema = v.object({ ...ChatPostSchema.entries, to: v.string() });
export type ChatDirect = Readonly<v.InferOutput<typeof ChatDirectSchema>>;

export const ChatMemberSchema = v.object({ peer: v.string(), name: v.string(), at: v.number() });
export type ChatMember = Readonly<v.InferOutput<typeof ChatMemberSchema>>;

/** What the view emits to speak: the reaction stamps the sender, so a post's `from` is always its peer. */
export interface ChatSay {
  readonly id: string;
  readonly name: string;
  readonly text: string;
  readonly at: number;
  /** Addressee peer id for a direct message. */
  readonly to?: string;
}

export interface ChatJoin {
  readonly name: string;
  readonly at: number;
}

/** Longest message text kept. */
export const CHAT_TEXT_MAX = 2000;

export const chat = reactor({ name: 'chat', version: '1.0.0', module: import.meta.url }, (r) => {
  const post = r.molecule<ChatPost>('post', { distributed: true });
  const direct = r.molecule<ChatDirect>('direct', { distributed: true });
  const member = r.molecule<ChatMember>('member', { distributed: true });
  const self = r.latched<string>('self');
  const join = r.molecule<ChatJoin>('join');
  const say = r.molecule<ChatSay>('say');
  const whisper = r.molecule<ChatSay & { readonly to: string }>('whisper');
  const inbox = r.molecule<ChatDirect>('inbox');
  const sent = r.molecule<ChatDirect>('sent');

  // Local: stamps this peer's id into `self` and announces its display name to the room.
  r.react('join', [join], ([j], out, ctx) => {
    out(self, ctx.peer);
    out(member, { peer: ctx.peer, name: j.name.trim().slice(0, 64) || 'Anonymous', at: j.at });
  });
  r.react('member', [member, member], ([a, b], out) => out(member, a.at >= b.at ? a : b), {
    guard: ([a, b]) => a.peer === b.peer,
  });
  r.react('say', [say], ([s], out, ctx) => {
    const text = s.text.trim().slice(0, CHAT_TEXT_MAX);
    if (text) out(post, { id: s.id, from: ctx.peer, name: s.name, text, at: s.at });
  });
  // Local: the sender keeps its own copy (`sent`), the addressee's copy travels as `direct`.
  r.react('whisper', [whisper], ([w], out, ctx) => {
    const text = w.text.trim().slice(0, CHAT_TEXT_MAX);
    if (!text) return;
    const d = { id: w.id, from: ctx.peer, name: w.name, to: w.to, text, at: w.at };
    out(direct, d);
    out(sent, d);
  });
  r.react('receive', [direct, self], ([d], out) => out(inbox, d), { guard: ([d, me]) => d.to === me });

  return { post, direct, member, self, join, say, whisper, inbox, sent };
});
