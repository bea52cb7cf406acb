// Room links: `/#room=<name>&key=<secret>`. The secret lives in the URL fragment, which browsers never send to
// a server, so whoever has the link can join and nobody else (the signaling server included) can.
import { toBase64Url } from './base64url';

export interface RoomLink {
  readonly room: string;
  readonly key: string;
}

/** Read room and key from a URL or a bare fragment; null when either is missing or empty. */
export function parseRoomLink(urlOrHash: string): RoomLink | null {
  const hash = urlOrHash.includes('#') ? urlOrHash.slice(urlOrHash.indexOf('#') + 1) : urlOrHash;
  const params = new URLSearchParams(hash);
  const room = params.get('room')?.trim();
  const key = params.get('key')?.trim();
  return room && key ? { room, key } : null;
}

/** A fresh 128-bit random key, URL-safe. */
export function randomRoomKey(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** The fragment for a room (a new random key unless one is given), e.g. `#room=demo&key=…`. */
export function formatRoomLink(room: string, key: string = randomRoomKey()): string {
  return `#${new URLSearchParams({ room, key }).toString()}`;
}

/** A full link on `base` (e.g. location.origin + location.pathname). */
export function createRoomLink(base: string, room: string, key?: string): { url: string; link: RoomLink } {
  const fragment = formatRoomLink(room, key);
  const parsed = parseRoomLink(fragment) as RoomLink;
  return { url: `${base.split('#')[0] ?? ''}${fragment}`, link: parsed };
}
