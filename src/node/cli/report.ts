// What kinetic-peer prints: the member list when it changes, and activity as one line per second at most
// (reactions run by this peer, by name and count, and failures with their messages).
import type { Clock, TimerHandle } from '../../core/clock';
import type { JoinedRoom } from '../../join/types';
import type { MemberView } from '../../mesh/room/members';
import { waitingForQuorum } from '../../dcm/quorum-wait';
import type { PeerId } from '../../core/ids';

export function describeMembers(members: readonly MemberView[]): string {
  const names = members.map((m) => `${m.name}${m.isSelf ? ' (you)' : ''}`);
  return `members (${members.length}): ${names.join(', ')}`;
}

/**
 * The line to print when a majority of the room's configuration is not online (nothing can commit until
 * the members it names come back), or null while a majority is reachable.
 */
export function describeQuorumWait(joined: Pick<JoinedRoom, 'room' | 'members'>): string | null {
  const members = joined.members();
  const online = new Set<PeerId>(members.filter((m) => m.isSelf || (m.state !== 'down' && m.state !== 'stopped')).map((m) => m.id));
  const names = new Map(members.map((m) => [m.id, m.name]));
  const missing = waitingForQuorum(joined.room.status().members, online).map((id) => (names.get(id) ? `${names.get(id)} (${id})` : id));
  if (!missing.length) return null;
  return `waiting for ${missing.join(', ')} to come back: the room commits only while a majority of its members is online; emissions wait in the outbox meanwhile`;
}

/** Follow `joined` and print through `write`; returns the function that stops (and prints what is pending). */
export function reportActivity(joined: JoinedRoom, write: (line: string) => void, clock: Clock, everyMs = 1000, patienceMs = 5000): () => void {
  const counts = new Map<string, number>();
  let timer: TimerHandle | null = null;
  let lastMembers = '';
  // A room without a majority online looks like a hang: say whom it waits for, once per change, after a
  // patience that lets a normal start (members still linking) go by silently.
  let quorumLine: string | null = null;
  let quorumSince: number | null = null;
  let quorumSaid: string | null = null;
  const checkQuorum = (): void => {
    quorumLine = describeQuorumWait(joined);
    if (quorumLine === null) {
      if (quorumSaid !== null) write('the room has a majority of its members online again');
      quorumSince = null;
      quorumSaid = null;
    } else {
      quorumSince ??= clock.now();
      if (clock.now() - quorumSince >= patienceMs && quorumLine !== quorumSaid) write((quorumSaid = quorumLine));
    }
    quorumTimer = clock.setTimeout(checkQuorum, everyMs);
  };
  let quorumTimer: TimerHandle = clock.setTimeout(checkQuorum, everyMs);
  const flush = (): void => {
    timer = null;
    if (!counts.size) return;
    write(`activity: ${[...counts].map(([what, n]) => (n > 1 ? `${what} ×${n}` : what)).join(', ')}`);
    counts.clear();
  };
  const count = (what: string): void => {
    counts.set(what, (counts.get(what) ?? 0) + 1);
    timer ??= clock.setTimeout(flush, everyMs);
  };
  const offs = [
    joined.machine.on('reaction-finished', (e) => count(`${e.reactorName}.${e.reaction}${e.outcome === 'fenced' ? ' (fenced)' : ''}`)),
    joined.machine.on('reaction-failed', (e) => write(`reaction ${e.reactorName}.${e.reaction} failed: ${e.error.message}${e.retried ? ' (will retry)' : ''}`)),
    joined.onMembers((members) => {
      const line = describeMembers(members);
      if (line !== lastMembers) write((lastMembers = line));
    }),
  ];
  return () => {
    for (const off of offs) off();
    if (timer) clock.clearTimeout(timer);
    clock.clearTimeout(quorumTimer);
    flush();
  };
}
