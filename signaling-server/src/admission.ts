// Admission to keyed rooms: a room whose id starts with `k.` is addressed by the hash of a proof derived from
// the room key (src/mesh/room-crypto.ts), and only a join that shows that proof gets a seat, the lease or
// relay service there. The id alone — which the server keeps in memory, logs and may store — does not let
// anyone in; key-less rooms (ids without the prefix) stay open to whoever names them, as before.
import { createHash } from 'node:crypto';
import { ADMISSION_HASH_PREFIX, KEYED_ROOM_PREFIX } from 'kinetic-mesh/protocol';

/** Null when the join may enter `roomId`; otherwise why not, in words for the error frame. */
export function admissionProblem(roomId: string, proof: string | undefined): string | null {
  if (!roomId.startsWith(KEYED_ROOM_PREFIX)) return null;
  if (proof === undefined) return 'this room needs the admission proof derived from its key; join with the room key';
  const expected = KEYED_ROOM_PREFIX + createHash('sha256').update(ADMISSION_HASH_PREFIX + proof).digest('base64url');
  return expected === roomId ? null : 'the admission proof does not match this room: wrong room key';
}
