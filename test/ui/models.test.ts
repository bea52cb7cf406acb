// View models: what each example view reads out of a RoomView snapshot.
import { describe, expect, it } from 'vitest';
import { todoItems, filterTodos, pendingTodoIds } from '../../src/ui/models/todo';
import { counterState } from '../../src/ui/models/counter';
import { chatPeople, directThread, pendingMessageIds, roomPosts } from '../../src/ui/models/chat';
import { latestRun } from '../../src/ui/models/mapreduce';
import { inRoom, inRoomLabel, linkedOthers } from '../../src/ui/models/peers';
import { tokenRows, tokenTotals } from '../../src/ui/models/tokens';
import { filterActivity, reactionRate } from '../../src/ui/models/activity';
import { asPeerId } from '../../src/core/ids';
import { historyNotice } from '../../src/ui/models/history';
import type { PeerView, RoomView } from '../../workers/contract/room-view';
import { group, peer, roomView } from './room-view';

describe('todo model', () => {
  it('lists valid items oldest first, skipping malformed copies and duplicates', () => {
    const view = roomView([
      group('todo', 'item', [
        { id: 'b', text: 'second', done: false, at: 2, by: 'p' },
        { id: 'a', text: 'first', done: true, at: 1, by: 'p' },
        { id: 'x', text: 42, done: false, at: 0, by: 'p' },
        '<img src=x onerror=alert(1)>',
        { id: 'b', text: 'second', done: false, at: 2, by: 'p' },
      ]),
    ]);
    const items = todoItems(view);
    expect(items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(filterTodos(items, 'active').map((i) => i.text)).toEqual(['second']);
    expect(filterTodos(items, 'done').map((i) => i.text)).toEqual(['first']);
  });
});

describe('pending (offline) copies', () => {
  it('marks the last `pending` values of a group as this peer’s emissions the room does not have yet', () => {
    const item = (id: string) => ({ id, text: id, done: false, at: 1, by: 'me' });
    const post = (id: string) => ({ id, from: 'me', name: 'me', text: id, at: 1 });
    const view = roomView([
      group('todo', 'item', [item('shared'), item('offline')], { pending: 1 }),
      group('chat', 'post', [post('p1'), post('p2')], { pending: 2 }),
      group('chat', 'sent', [{ ...post('d1'), to: 'bob' }], { pending: 0 }),
    ]);
    expect(todoItems(view).map((i) => i.id)).toEqual(['offline', 'shared']); // same time: by id
    expect([...pendingTodoIds(view)]).toEqual(['offline']);
    expect([...pendingMessageIds(view)].sort()).toEqual(['p1', 'p2']);
  });
});

describe('counter model', () => {
  it('sums every copy of count (a seed being merged does not change the value)', () => {
    expect(counterState(roomView([group('counter', 'count', [5, 0])])).value).toBe(5);
    expect(counterState(roomView([])).value).toBeNull();
    const queued = counterState(roomView([group('counter', 'count', [1]), group('counter', 'incr', [undefined, undefined])]));
    expect(queued.queued).toBe(2);
  });
});

describe('chat model', () => {
  const post = (id: string, from: string, at: number) => ({ id, from, name: from, text: `hi ${id}`, at });
  it('orders room posts by time and keeps direct threads per partner', () => {
    const view = roomView([
      group('chat', 'post', [post('2', 'bob', 20), post('1', 'ann', 10)]),
      group('chat', 'inbox', [{ ...post('3', 'bob', 30), to: 'me' }, { ...post('4', 'cy', 40), to: 'me' }], { distributed: false }),
      group('chat', 'sent', [{ ...post('5', 'me', 35), to: 'bob' }], { distributed: false }),
    ]);
    expect(roomPosts(view).map((p) => p.id)).toEqual(['1', '2']);
    expect(directThread(view, 'bob').map((p) => p.id)).toEqual(['3', '5']);
    expect(directThread(view, 'cy').map((p) => p.id)).toEqual(['4']);
  });

  it('lists people online first, newest name wins, offline members remembered', () => {
    const view = roomView(
      [
        group('chat', 'member', [
          { peer: 'bob', name: 'Bob old', at: 1 },
          { peer: 'bob', name: 'Bob', at: 2 },
          { peer: 'zed', name: 'Zed', at: 1 },
        ]),
      ],
      [peer('bob', 'Bob'), peer('me', 'Me', { isSelf: true })],
    );
    const people = chatPeople(view);
    expect(people.map((p) => [p.name, p.online])).toEqual([
      ['Bob', true],
      ['Me', true],
      ['Zed', false],
    ]);
    expect(people.find((p) => p.peer === 'me')?.isSelf).toBe(true);
  });
});

describe('map/reduce model', () => {
  it('follows the newest run: progress from partial sums, per-peer split, then the report', () => {
    const older = (1000).toString(36) + '-aa';
    const run = (2000).toString(36) + '-bb';
    const partial = (n: number, by: Record<string, number>) => ({ run, total: 10, n, sum: n, work: n * 20, by });
    const running = latestRun(
      roomView([
        group('mapreduce', 'report', [{ run: older, total: 3, n: 3, sum: 14, work: 60, by: { a: 3 }, cpu: false, cost: 20, wallMs: 70, speedup: 0.86 }]),
        group('mapreduce', 'partial', [partial(3, { a: 2, b: 1 }), partial(2, { b: 2 })]),
        group('mapreduce', 'job', [{ run, x: 9, total: 10, cost: 20 }]),
      ]),
    );
    expect(running).toMatchObject({ run, total: 10, mapped: 5, report: null, params: { cost: 20, cpu: false } });
    expect(running?.byPeer).toEqual([
      ['b', 3],
      ['a', 2],
    ]);
    const done = latestRun(
      roomView([group('mapreduce', 'report', [{ ...partial(10, { a: 6, b: 4 }), sum: 385, cpu: false, cost: 20, wallMs: 120, speedup: 1.67 }])]),
    );
    expect(done).toMatchObject({ mapped: 10, waiting: 0, sum: 385 });
    // The starting tab is gone before timing it: the result alone still ends the run.
    const untimed = latestRun(roomView([group('mapreduce', 'result', [{ ...partial(10, { a: 10 }), sum: 385 }])]));
    expect(untimed).toMatchObject({ sum: 385, report: null, mapped: 10 });
    expect(done?.report?.sum).toBe(385);
    expect(untimed?.params).toBeNull(); // nothing left that says what the jobs cost
  });

  it("gives every peer the running job's parameters (the form shows them, not its own defaults)", () => {
    const run = (3000).toString(36) + '-cc';
    const cpu = latestRun(roomView([group('mapreduce', 'cpu-job', [{ run, x: 1, total: 7, cost: 130 }])]));
    expect(cpu).toMatchObject({ total: 7, params: { cost: 130, cpu: true } });
    const started = latestRun(roomView([group('mapreduce', 'pending', [{ run, jobs: 7, cost: 5, cpu: false, at: 1 }], { distributed: false })]));
    expect(started).toMatchObject({ total: 7, mine: true, params: { cost: 5, cpu: false } });
  });
});

describe('peers model', () => {
  it('counts this tab and its linked peers one way for the header and the sidebar', () => {
    const view = roomView(
      [],
      [peer('me', 'Me', { isSelf: true, link: 'self' }), peer('b', 'Bob'), peer('c', 'Cy', { state: 'down' }), peer('d', 'Dee', { state: 'misbehaving' })],
    );
    expect(linkedOthers(view)).toBe(1);
    expect(inRoom(view)).toBe(2);
    expect(inRoomLabel(view)).toBe('2 in room');
    expect(inRoomLabel(roomView([], [peer('me', 'Me', { isSelf: true })]))).toBe('only you');
    expect(inRoom(null)).toBeNull();
  });
});

describe('tokens model', () => {
  it('groups by reactor, expands sampled values and says how many were not sampled', () => {
    const view = roomView([
      group('todo', 'item', [{ id: 'a' }], { count: 1200 }),
      group('chat', 'self', ['me'], { latched: true, distributed: false }),
      group('chat', 'inbox', [], { distributed: false }),
    ]);
    const closed = tokenRows(view, new Set(), '');
    expect(closed.map((r) => r.kind)).toEqual(['reactor', 'group', 'reactor', 'group']);
    expect(tokenRows(view, new Set(), 'inbox', true).map((r) => r.kind)).toEqual(['reactor', 'group']);
    const open = tokenRows(view, new Set(['todo-id/item']), 'todo');
    expect(open.map((r) => r.kind)).toEqual(['reactor', 'group', 'value', 'more']);
    expect(open.at(-1)).toMatchObject({ hidden: 1199 });
    expect(tokenTotals(view)).toEqual({ all: 1201, distributed: 1200, local: 0, latched: 1 });
  });
});

describe('activity model', () => {
  const item = (seq: number, reaction: string, outcome: 'ok' | 'failed', at: number) => ({
    seq,
    at,
    peer: asPeerId('bob'),
    reactor: 'counter',
    reaction,
    ms: 1,
    outcome,
  });
  it('filters by text and outcome and measures the recent rate', () => {
    const items = [item(3, 'incr', 'ok', 9000), item(2, 'decr', 'failed', 8000), item(1, 'incr', 'ok', 1000)];
    expect(filterActivity(items, 'INCR', 'all', () => 'Bob').map((i) => i.seq)).toEqual([3, 1]);
    expect(filterActivity(items, 'bob', 'failed', () => 'Bob').map((i) => i.seq)).toEqual([2]);
    expect(reactionRate(items, 10_000, 5000)).toBeCloseTo(0.4);
  });
});

describe('history notice', () => {
  const withHistory = (history: Partial<RoomView['history']>, peers: PeerView[] = []): RoomView => ({ ...roomView([], peers), history: { genesis: null, recorded: null, waiting: false, others: [], mayStart: false, ...history } });

  it('says nothing while the tab holds the room\'s history and the record agrees', () => {
    expect(historyNotice(withHistory({ genesis: 'gabc123456789', recorded: 'gabc123456789' }))).toBeNull();
    expect(historyNotice(withHistory({ genesis: 'gabc123456789' }))).toBeNull(); // no record: nothing to tell
    expect(historyNotice(null)).toBeNull();
  });

  it('a waiting tab is told what the server knows and may start a new history; a starting one is told so', () => {
    const waiting = historyNotice(withHistory({ waiting: true, recorded: 'gabc123456789' }));
    expect(waiting).toMatchObject({ kind: 'waiting', canStart: true });
    expect(waiting?.text).toContain('(gabc12345)');
    expect(historyNotice(withHistory({ waiting: true }))?.text).toContain('Nobody who holds it is online');
    expect(historyNotice(withHistory({ mayStart: true }))).toMatchObject({ kind: 'starting', canStart: false });
  });

  it('two histories meeting name the other peers and both short ids, and offer no new history', () => {
    const n = historyNotice(withHistory({ genesis: 'gmine0000000', others: [{ peer: asPeerId('p2'), genesis: 'gtheirs00000' }] }, [peer('p2', 'Bob')]));
    expect(n).toMatchObject({ kind: 'others', canStart: false });
    expect(n?.text).toContain('Bob holds another history of it (gtheirs00) than this tab (gmine0000)');
  });

  it('a record naming another history says someone started a new one', () => {
    expect(historyNotice(withHistory({ genesis: 'gold0000000', recorded: 'gnew0000000' }))).toMatchObject({ kind: 'superseded', canStart: false });
  });
});
