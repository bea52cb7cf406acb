// Who is in the room as this tab sees it, counted one way everywhere (header and sidebar): this tab and
// every peer it is linked to. A peer that is down, or cut off for misbehaving, is listed in the Peers view
// but not counted.
import type { RoomView } from '../../../workers/contract/room-view';

/** Peers other than this tab that it is linked to now. */
export function linkedOthers(view: RoomView | null): number {
  return view?.peers.filter((p) => !p.isSelf && p.state !== 'down' && p.state !== 'misbehaving').length ?? 0;
}

/** This tab plus the peers it is linked to (null before the first view). */
export function inRoom(view: RoomView | null): number | null {
  return view ? 1 + linkedOthers(view) : null;
}

/** The header's words for it: "only you", "2 in room". */
export function inRoomLabel(view: RoomView | null): string {
  const n = inRoom(view) ?? 1;
  return n === 1 ? 'only you' : `${n} in room`;
}
