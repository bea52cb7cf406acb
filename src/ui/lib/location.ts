// The room link and the open view live in the URL fragment (`#room=…&key=…&view=chat`): the fragment never
// reaches a server, a reload lands on the same view, and copying the address bar shares the room.
import { parseRoomLink, type RoomLink } from '../../protocol/room-link';

export const VIEWS = ['todo', 'chat', 'counter', 'mapreduce', 'peers', 'tokens', 'reactors', 'activity'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface AppLocation {
  readonly link: RoomLink | null;
  readonly view: ViewName;
}

export function readLocation(hash: string): AppLocation {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const view = params.get('view');
  return { link: parseRoomLink(hash), view: (VIEWS as readonly string[]).includes(view ?? '') ? (view as ViewName) : 'todo' };
}

/** The fragment for a room and view. */
export function writeLocation(link: RoomLink, view: ViewName): string {
  return `#${new URLSearchParams({ room: link.room, key: link.key, view }).toString()}`;
}

/** The link to share: room and key only, on this page's address. */
export function shareUrl(link: RoomLink, base: string): string {
  return `${base.split('#')[0] ?? ''}#${new URLSearchParams({ room: link.room, key: link.key }).toString()}`;
}
