// Real processes: the real signaling server and four Node peers, each its own OS process, run distributed
// map/reduce of 1..100 squared. One peer — the sequencer when it is not the driver — is killed with
// SIGKILL mid-run. The survivors still produce 338350, and every replica's applied history agrees with no
// molecule consumed twice (checked with the simulation's checker over all processes' output). The second run
// adds issue 11's real faults: one peer's store fails a write, and the signaling server restarts (forgetting
// every lease) while the sequencer is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/src/index';
import type { Entry } from '../../src/dcm/entries';
import { Checker } from '../sim/checker';

interface Proc {
  readonly id: string;
  readonly child: ChildProcess;
  facts: Record<string, unknown>[];
  killed: boolean;
}

const script = path.join(import.meta.dirname, 'process-peer.ts');
let server: SignalingServer | null = null;
const procs: Proc[] = [];

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await server?.close();
});

function spawnPeer(url: string, id: string, checker: Checker, env: Record<string, string> = {}, room = 'processes'): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', script, url, room, id, '100', '20'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const proc: Proc = { id, child, facts: [], killed: false };
  let buffer = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const fact = JSON.parse(line) as Record<string, unknown>;
      proc.facts.push(fact);
      if (fact['t'] === 'applied') checker.applied(id, fact['index'] as number, fact['entry'] as Entry);
    }
  });
  procs.push(proc);
  return proc;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const last = (p: Proc, t: string): Record<string, unknown> | undefined => [...p.facts].reverse().find((f) => f['t'] === t);

describe('map/reduce across OS processes with a peer killed mid-run', () => {
  it('still yields 338350 with no molecule consumed twice', async () => {
    server = createSignalingServer({ port: 0, limits: { leaseTtlMs: 600 } });
    await server.ready;
    const url = `ws://127.0.0.1:${server.address().port}/signal`;
    const checker = new Checker();
    const peers = ['w1', 'w2', 'w3', 'driver'].map((id) => spawnPeer(url, id, checker));
    await until(() => peers.every((p) => (last(p, 'status')?.['members'] as number | undefined) === 4), 40_000, 'four members');
    const driver = peers[3] as Proc;
    driver.child.stdin?.write('start\n');
    const isMap = (f: Record<string, unknown>): boolean => f['t'] === 'applied' && (f['entry'] as Entry).type === 'commit' && (f['entry'] as { reaction?: string }).reaction === 'map';
    const maps = (): number => Math.max(...procs.map((p) => p.facts.filter(isMap).length));
    await until(() => maps() >= 25, 30_000, 'map commits');
    const sequencer = last(driver, 'status')?.['sequencer'] as string | undefined;
    const victim = peers.find((p) => p.id === sequencer && p !== driver) ?? (peers[1] as Proc);
    victim.killed = true;
    victim.child.kill('SIGKILL');
    expect(maps(), 'the kill happened mid-run').toBeLessThan(100);
    const survivors = peers.filter((p) => !p.killed);
    await until(() => survivors.some((p) => last(p, 'result')), 40_000, 'result');
    const result = last(survivors.find((p) => last(p, 'result')) as Proc, 'result')?.['value'] as { sum: number; n: number };
    expect(result).toEqual({ n: 100, sum: 338350, total: 100 });
    // Let every survivor apply the whole history, then check agreement and exactly-once across processes.
    await until(() => new Set(survivors.map((p) => last(p, 'status')?.['commitIndex'])).size === 1, 10_000, 'replicas converge');
    expect(checker.violations).toEqual([]);
    expect(checker.committed).toBeGreaterThan(200);
    const errors = procs.flatMap((p) => p.facts.filter((f) => f['t'] === 'error'));
    expect(errors).toEqual([]);
  }, 120_000);

  it('also with the signaling server restarted mid-run (forgetting every lease), one peer whose store fails a write, and the sequencer killed', async () => {
    server = createSignalingServer({ port: 0, limits: { leaseTtlMs: 600 } });
    await server.ready;
    const port = server.address().port;
    const url = `ws://127.0.0.1:${port}/signal`;
    const checker = new Checker();
    // w3's store fails its 45th write: it stops itself (fail-stop), says so, and leaves the configuration.
    const peers = ['w1', 'w2', 'w3', 'driver'].map((id) => spawnPeer(url, id, checker, id === 'w3' ? { KM_FAIL_WRITE_AT: '45' } : {}, 'processes-faults'));
    await until(() => peers.every((p) => (last(p, 'status')?.['members'] as number | undefined) === 4 || last(p, 'store-failed')), 40_000, 'four members');
    const driver = peers[3] as Proc;
    driver.child.stdin?.write('start\n');
    const isMap = (f: Record<string, unknown>): boolean => f['t'] === 'applied' && (f['entry'] as Entry).type === 'commit' && (f['entry'] as { reaction?: string }).reaction === 'map';
    const maps = (): number => Math.max(...peers.map((p) => p.facts.filter(isMap).length));
    await until(() => maps() >= 20, 30_000, 'map commits');
    const failed = peers[2] as Proc;
    await until(() => last(failed, 'store-failed') !== undefined, 30_000, 'the failing store to fail');
    // The stopped replica left the configuration: three members, so two of them are a majority.
    await until(() => last(driver, 'status')?.['members'] === 3, 30_000, 'the stopped replica removed');
    // The signaling server restarts on the same port and forgets every room and lease (no --data), and the
    // sequencer (or a worker, when the driver leads) is SIGKILLed right after: a new sequencer must be
    // elected by a server that forgot the room, among the two survivors.
    await server.close();
    server = createSignalingServer({ port, limits: { leaseTtlMs: 600 } });
    await server.ready;
    const sequencer = last(driver, 'status')?.['sequencer'] as string | undefined;
    const victim = peers.find((p) => p.id === sequencer && p !== driver && p !== failed) ?? (peers[0] as Proc);
    victim.killed = true;
    victim.child.kill('SIGKILL');
    expect(maps(), 'the restart and the kill happened mid-run').toBeLessThan(100);
    const survivors = peers.filter((p) => p !== failed && !p.killed);
    await until(() => survivors.some((p) => last(p, 'result')), 60_000, 'result');
    const result = last(survivors.find((p) => last(p, 'result')) as Proc, 'result')?.['value'] as { sum: number; n: number };
    expect(result).toEqual({ n: 100, sum: 338350, total: 100 });
    await until(() => new Set(survivors.map((p) => last(p, 'status')?.['commitIndex'])).size === 1, 10_000, 'replicas converge');
    expect(checker.violations).toEqual([]);
    expect(String(failed.facts.find((f) => f['t'] === 'status' && f['stopped'])?.['stopped'])).toMatch(/store write failed: simulated: disk full/);
    const errors = procs.flatMap((p) => p.facts.filter((f) => f['t'] === 'error'));
    expect(errors).toEqual([]);
  }, 180_000);
});
