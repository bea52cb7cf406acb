// Friendly random room names ("amber-otter-417"): easy to say aloud, and the key in the link is what
// actually guards the room, so the name only has to be distinct enough not to collide by accident.
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

/** A new room name such as `amber-otter-417`. */
export function randomRoomName(random: Random): string {
  const adjective = ADJECTIVES[randomInt(random, ADJECTIVES.length)] ?? 'calm';
  const noun = NOUNS[randomInt(random, NOUNS.length)] ?? 'otter';
  return `${adjective}-${noun}-${100 + randomInt(random, 900)}`;
}
