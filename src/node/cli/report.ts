// What kinetic-peer prints: the member list when it changes, and activity as one line per second at most
// (reactions run by this peer, by name and count, and failures with their messages).
import type { Clock, TimerHandle } from '../../core/clock';
import type { JoinedRoom } from '../../join/types';
import type { MemberView } from '../../mesh/room/members';
import { waitingForQuorum } from '../../dcm/quorum-wait';
import { historyNotice } from '../../dcm/genesis';
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

/**
 * The line to print while the signaling server is not reached (a wrong port or host in the link, a server
 * not running): without it the peer only said it waited for the room's history, which hid the cause.
 */
export function describeServer(joined: Pick<JoinedRoom, 'mesh'>, server: string | null): string | null {
  if (joined.mesh.signaling === 'connected') return null;
  return `cannot reach the signaling server${server ? ` at ${server}` : ''}; still trying (is it running, and is the link's host right? --signal names the server)`;
}

/**
 * The line to print when this peer has no history to join (nobody holding the room's history is reachable
 * and it may not start one) or meets peers of another history; null otherwise.
 */
export function describeHistory(joined: Pick<JoinedRoom, 'room'>): string | null {
  const s = joined.room.status();
  const notice = historyNotice(s);
  return notice !== null && s.waitingForHistory ? `${notice} (--new-history makes this peer start one)` : notice;
}

/** Follow `joined` and print through `write`; returns the function that stops (and prints what is pending). */
export function reportActivity(joined: JoinedRoom, write: (line: string) => void, clock: Clock, everyMs = 1000, patienceMs = 5000, server: string | null = null): () => void {
  const counts = new Map<string, number>();
  let timer: TimerHandle | null = null;
  let lastMembers = '';
  // A room that cannot make progress looks like a hang: say why (server not reached, no majority online, no
  // history to join, another history met), once per change, after a patience that lets a normal start go by
  // silently. Without the server nothing else can be known: the other two wait for it.
  const offline = (): boolean => describeServer(joined, server) !== null;
  const conditions = [
    { line: () => describeServer(joined, server), cleared: 'reached the signaling server' },
    { line: () => (offline() ? null : describeQuorumWait(joined)), cleared: 'the room has a majority of its members online again' },
    { line: () => (offline() ? null : describeHistory(joined)), cleared: null },
  ].map((c) => ({ ...c, since: null as number | null, said: null as string | null }));
  const check = (): void => {
    for (const c of conditions) {
      const line = c.line();
      if (line === null) {
        if (c.said !== null && c.cleared) write(c.cleared);
        c.since = null;
        c.said = null;
      } else {
        c.since ??= clock.now();
        if (clock.now() - c.since >= patienceMs && line !== c.said) write((c.said = line));
      }
    }
    checkTimer = clock.setTimeout(check, everyMs);
  };
  let checkTimer: TimerHandle = clock.setTimeout(check, everyMs);
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
    clock.clearTimeout(checkTimer);
    flush();
  };
}
