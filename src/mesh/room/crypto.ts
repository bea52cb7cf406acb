// Room secrecy with Web Crypto only (browsers, workers and Node 20 all have globalThis.crypto.subtle):
// - the server addresses a room by SHA-256 of its name, never the name;
// - PBKDF2(secret, room name) → AES-GCM key seals every signaling payload and relayed frame, so the server can
//   neither read SDP nor forge it (GCM authenticates), and a peer that cannot open a sealed hello does not
//   know the key.
import { fromBase64Url, toBase64Url } from '../../protocol/base64url';

/** Thrown or emitted when a peer's sealed message cannot be opened with our key (or ours with theirs). */
export class WrongRoomKeyError extends Error {
  override readonly name = 'WrongRoomKeyError';
}

export interface RoomCipher {
  seal(plaintext: string): Promise<string>;
  /** null when the ciphertext was not sealed with this room's key (or was tampered with). */
  open(ciphertext: string): Promise<string | null>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const IV_BYTES = 12;
// Room keys from createRoomLink are 128 random bits, so the iteration count is a speed bump for hand-picked
// keys only; 100k matches y-webrtc and costs ~30-60 ms once per join, overlapped with the signaling connect.
export const PBKDF2_ITERATIONS = 100_000;

/** The room's address on the signaling server: base64url(SHA-256("kinetic-mesh/room/" + name)). */
export async function roomHash(roomName: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', enc.encode(`kinetic-mesh/room/${roomName}`));
  return toBase64Url(new Uint8Array(digest));
}

export async function createRoomCipher(roomName: string, secret: string, iterations = PBKDF2_ITERATIONS): Promise<RoomCipher> {
  const material = await crypto.subtle.importKey('raw', enc.encode(secret), 'PBKDF2', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', salt: enc.encode(`kinetic-mesh/key/${roomName}`), iterations, hash: 'SHA-256' },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  return {
    async seal(plaintext) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, enc.encode(plaintext)));
      const out = new Uint8Array(IV_BYTES + ct.length);
      out.set(iv);
      out.set(ct, IV_BYTES);
      return toBase64Url(out);
    },
    async open(ciphertext) {
      const bytes = fromBase64Url(ciphertext);
      if (!bytes || bytes.length <= IV_BYTES + 16) return null;
      try {
        const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) }, key, bytes.subarray(IV_BYTES));
        return dec.decode(pt);
      } catch {
        return null; // authentication failed: another key, or tampering
      }
    },
  };
}
