// Keyed rooms grouped by their name tag (24 bits of the room name's hash, see src/mesh/room-crypto.ts), so a
// peer whose key is wrong — alone in its own keyed room — can be told "a room by this name is open under
// another key". Only the yes/no answer changes hands, and only when it flips (a second room with the tag
// opens, or the last other one closes), so an attacker opening rooms with one tag cannot make the server
// broadcast per room.
import type { ServerFrameBody } from 'kinetic-mesh/protocol';

export interface TaggedRoom {
  readonly tag: string | null;
  broadcast(frame: ServerFrameBody): void;
}

export class NameTags<R extends TaggedRoom> {
  readonly #byTag = new Map<string, Set<R>>();

  /** A room opened: if it is the second with its tag, the first one learns it has a namesake now. */
  add(room: R): void {
    if (room.tag === null) return;
    let set = this.#byTag.get(room.tag);
    if (!set) this.#byTag.set(room.tag, (set = new Set()));
    set.add(room);
    if (set.size === 2) for (const other of set) if (other !== room) other.broadcast({ type: 'namesakes', present: true });
  }

  /** A room closed: if one room with its tag is left, that one learns it is alone with its name again. */
  remove(room: R): void {
    if (room.tag === null) return;
    const set = this.#byTag.get(room.tag);
    if (!set?.delete(room)) return;
    if (set.size === 0) this.#byTag.delete(room.tag);
    else if (set.size === 1) for (const last of set) last.broadcast({ type: 'namesakes', present: false });
  }

  /** Another open room shares this room's tag. */
  has(room: R): boolean {
    return room.tag !== null && (this.#byTag.get(room.tag)?.size ?? 0) > 1;
  }
}
