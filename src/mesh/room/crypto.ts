// Room secrecy with Web Crypto only (browsers, workers and Node 20 all have globalThis.crypto.subtle):
// - PBKDF2(secret, room name) → one 256-bit room secret, and HKDF of it → three independent things:
//   * an AES-GCM key that seals every signaling payload and relayed frame, so the server can neither read SDP
//     nor forge it (GCM authenticates), and a peer that cannot open a sealed hello does not know the key;
//   * an admission proof the peer shows the signaling server when it joins;
//   * the room's address on the server, `k.` + SHA-256(proof): it reveals nothing without the key, a peer with
//     another key lands in another (empty) room, and the server seats only peers that show the preimage — so
//     knowing an address (from the server's memory, logs or its durable record) is not enough to take a seat
//     or the lease.
// - a short name tag (24 bits of SHA-256 of the name) lets the server say "a room by this name is open under
//   another key" so a wrong key gets a clear message; 24 bits confirm a guessed name only weakly (millions of
//   names share each tag) and reveal nothing about the key. See docs/security.md.
import { fromBase64Url, toBase64Url } from '../../protocol/base64url';
import { ADMISSION_HASH_PREFIX, KEYED_ROOM_PREFIX } from '../../protocol/signaling';

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

/** A key-less room's address on the signaling server: base64url(SHA-256("kinetic-mesh/room/" + name)). */
export async function roomHash(roomName: string): Promise<string> {
  return toBase64Url(await sha256(`kinetic-mesh/room/${roomName}`));
}

/** The address of a keyed room on the server, from its admission proof (the server checks the same). */
export async function keyedRoomId(admission: string): Promise<string> {
  return KEYED_ROOM_PREFIX + toBase64Url(await sha256(ADMISSION_HASH_PREFIX + admission));
}

/** The short, lossy name tag the server groups keyed rooms by (4 base64url characters = 24 bits). */
export async function roomTag(roomName: string): Promise<string> {
  return toBase64Url(await sha256(`kinetic-mesh/tag/${roomName}`)).slice(0, 4);
}

/** Everything a keyed room derives from its name and secret (PBKDF2 once, then HKDF per purpose). */
export interface RoomSecrets {
  readonly cipher: RoomCipher;
  /** Shown to the signaling server on join; its hash is the room id. */
  readonly admission: string;
  /** The room's address on the server (`k.` + hash of the admission proof). */
  readonly roomId: string;
  readonly tag: string;
}

export async function deriveRoomSecrets(roomName: string, secret: string, iterations = PBKDF2_ITERATIONS): Promise<RoomSecrets> {
  const material = await crypto.subtle.importKey('raw', enc.encode(secret), 'PBKDF2', false, ['deriveBits']);
  const root = await crypto.subtle.deriveBits({ name: 'PBKDF2', salt: enc.encode(`kinetic-mesh/key/${roomName}`), iterations, hash: 'SHA-256' }, material, 256);
  const hkdf = await crypto.subtle.importKey('raw', root, 'HKDF', false, ['deriveKey', 'deriveBits']);
  const params = (info: string): HkdfParams => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: enc.encode(info) });
  const key = await crypto.subtle.deriveKey(params('kinetic-mesh/aes-gcm'), hkdf, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const admission = toBase64Url(new Uint8Array(await crypto.subtle.deriveBits(params('kinetic-mesh/admission'), hkdf, 256)));
  const [roomId, tag] = await Promise.all([keyedRoomId(admission), roomTag(roomName)]);
  return { cipher: aesGcmCipher(key), admission, roomId, tag };
}

export async function createRoomCipher(roomName: string, secret: string, iterations = PBKDF2_ITERATIONS): Promise<RoomCipher> {
  return (await deriveRoomSecrets(roomName, secret, iterations)).cipher;
}

function aesGcmCipher(key: CryptoKey): RoomCipher {
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

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(text)));
}
