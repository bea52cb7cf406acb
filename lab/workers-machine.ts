// Machine-worker experiments for the lab page: the real connectRoom (machine worker + store + pool) in a
// server-less room (BroadcastChannel links, Web Locks election), plus the cold-start measurement.
import { connectRoom } from '../workers/client/connect';
import type { MachineClient, RoomView } from '../workers/contract/room-view';

let client: MachineClient | null = null;
let latest: RoomView | null = null;
let views = 0;

const open = async (room: string): Promise<MachineClient> => {
  // Each lab room is made by the page that opens it: it starts the room's history (no server to ask).
  const c = await connectRoom({ room, key: 'lab-key' }, '', { signalingUrl: null, newHistory: true });
  c.subscribe((v) => {
    latest = v;
    views++;
  });
  return c;
};

const until = async (check: () => boolean, timeoutMs: number, what: string): Promise<void> => {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const group = (v: RoomView | null, reactor: string, name: string) => v?.molecules.find((g) => g.reactorName === reactor && g.name === name);

/** Open a room in this tab through the machine worker; resolves with the first view. */
export async function machineOpen(room: string): Promise<{ self: string; reactors: string[]; sequencer: string | null }> {
  client = await open(room);
  await until(() => latest !== null, 10_000, 'the first view');
  const v = latest as unknown as RoomView;
  return { self: v.self, reactors: v.reactors.filter((r) => r.loaded).map((r) => r.name), sequencer: v.sequencer };
}

export async function machineAddTodo(text: string): Promise<void> {
  await client?.emit('todo', 'add', { id: `${text}-${Math.random().toString(36).slice(2)}`, text, at: Date.now() });
}

/** Todo texts the current view shows, sorted. */
export function machineTodos(): string[] {
  return ((group(latest, 'todo', 'item')?.sample ?? []) as { text: string }[]).map((i) => i.text).sort();
}

export function machineView(): { self: string; sequencer: string | null; isSequencer: boolean; outbox: number; views: number; problem: string | null } | null {
  return latest && { self: latest.self, sequencer: latest.sequencer, isSequencer: latest.isSequencer, outbox: latest.outbox, views, problem: latest.problem };
}

/** Run a CPU-bound map/reduce through the machine (pool reactions in the worker's pool). */
export async function machineMapReduce(jobs: number, cost: number): Promise<{ sum: number; wallMs: number; speedup: number }> {
  const run = `lab-${Date.now()}`;
  await client?.emit('mapreduce', 'start', { run, jobs, cost, cpu: true, at: Date.now() });
  await until(() => ((group(latest, 'mapreduce', 'report')?.sample ?? []) as { run: string }[]).some((r) => r.run === run), 120_000, 'the report');
  const report = ((group(latest, 'mapreduce', 'report')?.sample ?? []) as { run: string; sum: number; wallMs: number; speedup: number }[]).find((r) => r.run === run);
  return { sum: report?.sum ?? NaN, wallMs: report?.wallMs ?? NaN, speedup: report?.speedup ?? NaN };
}

export async function machineClose(): Promise<void> {
  await client?.close();
  client = null;
  latest = null;
}

/**
 * Cold start: a room whose peer has `n` local molecules stored (emitted through the machine worker and
 * persisted by it; closing compacts them into a snapshot), reopened: ms from connectRoom() until the first
 * view that shows all `n` (the UI is interactive from then on). Seeding goes through the worker because a
 * reactor's id hashes its code as built: the page's bundle and the worker's bundle differ.
 */
export async function coldStart(n: number): Promise<{ ms: number; count: number; seedMs: number }> {
  const room = `cold-${Date.now()}`;
  await machineOpen(room);
  const seed0 = performance.now();
  const c = client as MachineClient;
  await Promise.all(Array.from({ length: n }, (_, i) => c.emit('mapreduce', 'pending', { run: `seed-${i}`, jobs: 1, cost: 0, cpu: false, at: i })));
  await until(() => (group(latest, 'mapreduce', 'pending')?.count ?? 0) >= n, 60_000, `${n} seeded molecules`);
  await machineClose();
  const seedMs = performance.now() - seed0;

  const t0 = performance.now();
  client = await open(room);
  await until(() => (group(latest, 'mapreduce', 'pending')?.count ?? 0) >= n, 30_000, `${n} restored molecules`);
  const ms = performance.now() - t0;
  const count = group(latest, 'mapreduce', 'pending')?.count ?? 0;
  await machineClose();
  return { ms, count, seedMs };
}
