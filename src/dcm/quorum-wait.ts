// Who the room is waiting for: distributed reactions commit only while a majority of the configuration's
// members is reachable. When it is not (every tab closed at once and only one came back, two bots stopped
// together and one restarted), nothing commits until enough of the missing members return — which looks
// like a hang unless someone says which members are missing. Views and the CLI use this to say so.
import type { PeerId } from '../core/ids';

/**
 * The configuration members that are not online, when too few are online to form a majority; empty when a
 * majority is reachable (or the configuration is not known yet).
 */
export function waitingForQuorum(members: readonly PeerId[], online: ReadonlySet<PeerId>): PeerId[] {
  if (members.length === 0) return [];
  const reachable = members.filter((m) => online.has(m)).length;
  if (reachable * 2 > members.length) return [];
  return members.filter((m) => !online.has(m));
}
