// lab: CPU profiles of a 5-process map/reduce (bench dcm's speedupEfficiencyN5Processes: 200 jobs × 20 ms),
// one .cpuprofile per peer process in $OUT (default /tmp/mr-prof), and the server's frame counts.
//   npx tsx lab/mapreduce-profile.ts && python3 <summariser> /tmp/mr-prof/m2.cpuprofile
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createSignalingServer } from '../signaling-server/src/index';

const out = process.env['OUT'] ?? '/tmp/mr-prof';
const n = Number(process.env['N'] ?? 5);
const jobs = 200;
fs.mkdirSync(out, { recursive: true });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const server = createSignalingServer({ port: 0, limits: { leaseTtlMs: 500, messagesPerSecond: 1_000_000 } });
await server.ready;
const url = `ws://127.0.0.1:${server.address().port}/signal`;
const script = path.join(import.meta.dirname, '..', 'test', 'dcm', 'process-peer.ts');
interface P {
  id: string;
  child: ChildProcess;
  facts: Record<string, unknown>[];
}
const ps: P[] = Array.from({ length: n }, (_, i) => {
  const id = `m${i + 1}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, url, 'mr-prof', id, String(jobs), '20', 'relay'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const p: P = { id, child, facts: [] };
  let buf = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (c: string) => {
    buf += c;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      p.facts.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  return p;
});
const last = (p: P, t: string): Record<string, unknown> | undefined =>
  [...p.facts].reverse().find((f) => f['t'] === t);
const until = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
};
try {
  await until(
    () => ps.every((p) => last(p, 'status')?.['members'] === n && last(p, 'status')?.['sequencer'] != null),
    60_000,
  );
  await sleep(300);
  const profile = process.env['PROFILE'] !== '0';
  for (const p of ps) p.child.stdin?.write(`quiet\n${profile ? 'profile-start\n' : ''}cpu-start\n`);
  await sleep(200);
  const f0 = server.stats();
  const t0 = performance.now();
  ps[0]?.child.stdin?.write('start\n');
  await until(() => ps.some((p) => last(p, 'result')), 120_000);
  const ms = performance.now() - t0;
  const f = server.stats();
  for (const p of ps)
    p.child.stdin?.write(profile ? `cpu\nprofile-stop ${path.join(out, `${p.id}.cpuprofile`)}\n` : 'cpu\n');
  await until(() => ps.every((p) => (!profile || last(p, 'profile')) && last(p, 'cpu')), 20_000);
  console.error(
    JSON.stringify({
      ms,
      framesIn: f.framesIn - f0.framesIn,
      relayedBytes: f.relayedBytes - f0.relayedBytes,
      cpu: Object.fromEntries(
        ps.map((p) => [
          p.id,
          [last(p, 'cpu')?.['ms'], last(p, 'cpu')?.['mainThreadMs'], last(p, 'cpu')?.['loopBusyMs']],
        ]),
      ),
      leader: last(ps[0] as P, 'status')?.['sequencer'],
    }),
  );
} finally {
  for (const p of ps) p.child.kill('SIGKILL');
  await server.close();
}
process.exit(0);
