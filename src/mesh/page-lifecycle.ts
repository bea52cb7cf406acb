// Leave the room when the page goes away, so the others drop this peer at once (goodbye) instead of waiting
// for the heartbeat. Kept out of room.ts so the room stays DOM-free (it runs in Node and workers too).
import type { MeshRoom } from './room/mesh-room';

/** Minimal EventTarget: `window` in a page. */
export interface PageEvents {
  addEventListener(type: 'pagehide', listener: () => void): void;
  removeEventListener(type: 'pagehide', listener: () => void): void;
}

/** Say goodbye on `pagehide` (reload, close, navigation). Returns a function that stops watching. */
export function leaveOnPageHide(room: MeshRoom, page: PageEvents): () => void {
  // disconnect() sends its goodbyes synchronously, before the page is torn down.
  const onHide = (): void => void room.disconnect();
  page.addEventListener('pagehide', onHide);
  return () => page.removeEventListener('pagehide', onHide);
}
