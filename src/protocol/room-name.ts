// Friendly random room names ("amber-otter-x7k2m9qd"): two words to recognise a room by, then 8 random base-32
// characters (40 bits), so a name cannot be guessed. The key in the link is what guards the room; an
// unguessable name also keeps the server's short name tag (see room-crypto) from confirming a guessed name.
import type { Random } from '../core/clock';
import { randomInt } from '../core/clock';

const ADJECTIVES = [
  'amber', 'brisk', 'calm', 'cobalt', 'coral', 'crisp', 'dusky', 'eager', 'fern', 'gentle', 'golden', 'hazel',
  'indigo', 'jade', 'keen', 'lively', 'lunar', 'mellow', 'misty', 'nimble', 'olive', 'quiet', 'rapid', 'rosy',
  'rustic', 'silver', 'solar', 'swift', 'tidal', 'vivid', 'warm', 'zesty',
] as const;
const NOUNS = [
  'otter', 'falcon', 'harbor', 'meadow', 'comet', 'maple', 'lynx', 'orbit', 'pebble', 'quartz', 'reef', 'sparrow',
  'tundra', 'willow', 'ember', 'glacier', 'heron', 'island', 'kestrel', 'lagoon', 'nebula', 'panda', 'river', 'summit',
] as const;

const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789'; // no l, o, 0, 1: nothing to misread when said aloud
const RANDOM_CHARS = 8;

/** Uniform in [0, 1) from crypto.getRandomValues: what the app names rooms with (Math.random is predictable). */
export const cryptoRandom: Random = { next: () => (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) / 2 ** 32 };

/** A new room name such as `amber-otter-x7k2m9qd` (the app passes cryptoRandom; tests a seeded source). */
export function randomRoomName(random: Random): string {
  const adjective = ADJECTIVES[randomInt(random, ADJECTIVES.length)] ?? 'calm';
  const noun = NOUNS[randomInt(random, NOUNS.length)] ?? 'otter';
  let tail = '';
  for (let i = 0; i < RANDOM_CHARS; i++) tail += BASE32[randomInt(random, BASE32.length)] ?? 'a';
  return `${adjective}-${noun}-${tail}`;
}
