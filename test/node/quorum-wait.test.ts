// A room with too few of its members online commits nothing; the CLI and the app say whom it waits for
// (found as a stranger: two kinetic-peer bots stopped together, one restarted, and it sat silent forever).
import { describe, expect, it } from 'vitest';
import { asPeerId, type PeerId } from '../../src/core/ids';
import { waitingForQuorum } from '../../src/dcm/quorum-wait';
import type { JoinedRoom } from '../../src/join/types';
import type { MemberView } from '../../src/mesh/room/members';
import { reportActivity } from '../../src/node/cli/report';
import { VirtualScheduler } from '../sim/scheduler';

const ids = (...names: string[]): PeerId[] => names.map(asPeerId);

describe('waitingForQuorum', () => {
  it('names the missing members only when fewer than a majority are online', () => {
    expect(waitingForQuorum(ids('a', 'b'), new Set(ids('a')))).toEqual(ids('b'));
    expect(waitingForQuorum(ids('a', 'b', 'c'), new Set(ids('a', 'c')))).toEqual([]);
    expect(waitingForQuorum(ids('a', 'b', 'c'), new Set(ids('a')))).toEqual(ids('b', 'c'));
    // A peer that is not (or no longer) a member counts for nothing.
    expect(waitingForQuorum(ids('b'), new Set(ids('a')))).toEqual(ids('b'));
    expect(waitingForQuorum([], new Set(ids('a')))).toEqual([]);
  });
});

describe('kinetic-peer report', () => {
  it('says whom the room waits for after a patience, once, and when the majority is back', async () => {
    const sched = new VirtualScheduler();
    const member = (id: string, name: string, isSelf = false): MemberView => ({ id: asPeerId(id), name, state: 'running', link: isSelf ? 'self' : 'ws-relay', links: [], rttMs: 1, isSelf });
    let members: MemberView[] = [member('a', 'bot1', true)];
    const joined = {
      machine: { on: () => () => {} },
      mesh: { signaling: 'connected' },
      onMembers: () => () => {},
      members: () => members,
      room: { status: () => ({ members: ids('a', 'b') }) },
    } as unknown as JoinedRoom;
    const lines: string[] = [];
    const stop = reportActivity(joined, (l) => lines.push(l), sched.clock(), 1000, 5000);
    await sched.run(4000);
    expect(lines).toEqual([]);
    await sched.run(12_000);
    expect(lines).toEqual([expect.stringMatching(/^waiting for b to come back: the room commits only while a majority/)]);
    members = [...members, member('b', 'bot2')];
    await sched.run(14_000);
    expect(lines.at(-1)).toBe('the room has a majority of its members online again');
    expect(lines).toHaveLength(2);
    stop();
  });

  it('says when there is no history to join (a fresh room whose bots all wait) and suggests --new-history', async () => {
    const sched = new VirtualScheduler();
    let status: { members: PeerId[]; waitingForHistory?: true } = { members: [], waitingForHistory: true };
    const joined = {
      machine: { on: () => () => {} },
      mesh: { signaling: 'connected' },
      onMembers: () => () => {},
      members: () => [],
      room: { status: () => status },
    } as unknown as JoinedRoom;
    const lines: string[] = [];
    const stop = reportActivity(joined, (l) => lines.push(l), sched.clock(), 1000, 5000);
    await sched.run(8000);
    expect(lines).toEqual([expect.stringMatching(/^Waiting for the room’s history.*--new-history makes this peer start one\)$/)]);
    status = { members: ids('a') };
    await sched.run(10_000);
    expect(lines).toHaveLength(1);
    stop();
  });

  it('says when the signaling server is not reached, and holds back the history line until it is', async () => {
    const sched = new VirtualScheduler();
    const mesh = { signaling: 'connecting' };
    const joined = {
      machine: { on: () => () => {} },
      mesh,
      onMembers: () => () => {},
      members: () => [],
      room: { status: () => ({ members: [], waitingForHistory: true }) },
    } as unknown as JoinedRoom;
    const lines: string[] = [];
    const stop = reportActivity(joined, (l) => lines.push(l), sched.clock(), 1000, 5000, 'ws://127.0.0.1:9/signal');
    await sched.run(8000);
    expect(lines).toEqual([expect.stringMatching(/^cannot reach the signaling server at ws:\/\/127\.0\.0\.1:9\/signal; still trying/)]);
    mesh.signaling = 'connected';
    await sched.run(16_000);
    expect(lines.slice(1)).toEqual(['reached the signaling server', expect.stringMatching(/^Waiting for the room’s history/)]);
    stop();
  });
});
