// The mesh room reports what is wrong as a code; these are the words the app shows for each.
import { MeshRoomProblem } from '../../src/mesh/room/options';

const WORDS: Readonly<Record<MeshRoomProblem, string>> = {
  [MeshRoomProblem.ServerUnreachable]: 'Signaling server unreachable: links already made keep working; retrying.',
  [MeshRoomProblem.PeerIdTaken]: 'This tab shared its peer id with another tab; it now uses a new one.',
  [MeshRoomProblem.WrongKey]: 'Wrong room key: the other peers use a different key for this room.',
  [MeshRoomProblem.KeyMismatch]:
    'Wrong room key? A room by this name is open under a different key, and no peer here shares yours. Check that your link is complete.',
};

export function meshProblemWords(problem: MeshRoomProblem | null): string | null {
  return problem === null ? null : WORDS[problem];
}
