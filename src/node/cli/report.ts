// What kinetic-peer prints: the member list when it changes, and activity as one line per second at most
// (reactions run by this peer, by name and count, and failures with their messages).
import type { Clock, TimerHandle } from '../../core/clock';
import type { JoinedRoom } from '../../join/types';
import type { MemberView } from '../../mesh/room/members';

export function describeMembers(members: readonly MemberView[]): string {
  const names = members.map((m) => `${m.name}${m.isSelf ? ' (you)' : ''}`);
  return `members (${members.length}): ${names.join(', ')}`;
}

/** Follow `joined` and print through `write`; returns the function that stops (and prints what is pending). */
export function reportActivity(joined: JoinedRoom, write: (line: string) => void, clock: Clock, everyMs = 1000): () => void {
  const counts = new Map<string, number>();
  let timer: TimerHandle | null = null;
  let lastMembers = '';
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
    flush();
  };
}
