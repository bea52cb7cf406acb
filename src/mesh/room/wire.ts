// The room's own frames, carried inside whatever link a peer is reached by. Parsed by hand (not valibot):
// every application message passes through here, so the check must cost next to nothing. Anything that
// does not fit is dropped and counted by the room.
import { PEER_STATES, type PeerState } from './members';

export type RoomFrame =
  /** Session start: resets the receiver's sequence for us, and says who we are. */
  | { readonly k: 'hi'; readonly n: string; readonly st: PeerState }
  /** Name or state changed. */
  | { readonly k: 'in'; readonly n: string; readonly st: PeerState }
  /** Ping: `e` asks for an echo (`po`); without it, a ring neighbour answers nothing (liveness.ts). */
  | { readonly k: 'pi'; readonly t: number; readonly e?: 1 }
  | { readonly k: 'po'; readonly t: number }
  /** Down: the sender's heartbeat dropped peer `p` (a ring neighbour of it). */
  | { readonly k: 'dn'; readonly p: string }
  /** Goodbye: drop me now, don't wait for the heartbeat. */
  | { readonly k: 'by' }
  /** An application message with its per-pair sequence number. */
  | { readonly k: 'm'; readonly s: number; readonly d: unknown };

const MAX_NAME = 64;
const MAX_PEER_ID = 128;
const STATES: ReadonlySet<string> = new Set(PEER_STATES);

export function parseRoomFrame(x: unknown): RoomFrame | null {
  if (typeof x !== 'object' || x === null) return null;
  const f = x as Record<string, unknown>;
  switch (f['k']) {
    case 'm':
      return Number.isSafeInteger(f['s']) && (f['s'] as number) >= 0 && 'd' in f ? (f as RoomFrame) : null;
    case 'pi':
      return typeof f['t'] === 'number' && Number.isFinite(f['t']) && (f['e'] === undefined || f['e'] === 1) ? (f as RoomFrame) : null;
    case 'po':
      return typeof f['t'] === 'number' && Number.isFinite(f['t']) ? (f as RoomFrame) : null;
    case 'dn':
      return typeof f['p'] === 'string' && f['p'].length > 0 && f['p'].length <= MAX_PEER_ID ? (f as RoomFrame) : null;
    case 'hi':
    case 'in':
      return typeof f['n'] === 'string' && f['n'].length <= MAX_NAME && typeof f['st'] === 'string' && STATES.has(f['st'])
        ? (f as RoomFrame)
        : null;
    case 'by':
      return f as RoomFrame;
    default:
      return null;
  }
}

/** Display names are untrusted text: trim, cap, and strip control characters (the UI renders them as text). */
export function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_NAME);
}
