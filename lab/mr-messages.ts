// lab: protocol messages (by type, every peer's sends) and transport frames of a map/reduce of 200 jobs × 20 ms
// over 5 peers in one process — what a latency-bound workload sends per reaction, where nothing batches.
//   node --import ./bench/lib/ts-loader.mjs lab/mr-messages.ts
import { simMapReduce } from '../test/sim/workloads';
import { labRoom, sleep } from './lib/room';

const n = Number(process.env['N'] ?? 5);
const jobs = 200;
const lab = await labRoom(n, 'mr', (i) => `m${i + 1}`);
const ps = lab.peers;
const counts: Record<string, number> = {};
let frames = 0;
for (const p of ps) {
  const orig = p.mesh.sendEncoded.bind(p.mesh);
  p.mesh.sendEncoded = (to, json) => {
    frames++;
    const m = JSON.parse(json) as { type: string; messages?: { type: string; entries?: unknown[] }[]; entries?: unknown[] };
    for (const x of m.type === 'batch' ? (m.messages ?? []) : [m]) {
      const k = x.type === 'append' && (x.entries?.length ?? 0) === 0 ? 'append (empty)' : x.type;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    return orig(to, json);
  };
}
const loaded = ps.map((p) => p.machine.load(simMapReduce(sleep, () => 20)));
let result = false;
ps[0]!.room.on('applied', (a) => {
  if (a.entry.type === 'commit') for (const m of a.entry.produced) if (m.name === 'result') result = true;
});
const t0 = performance.now();
for (let x = 1; x <= jobs; x++) loaded[0]!.emit.job({ x, total: jobs });
while (!result) await sleep(2);
const ms = performance.now() - t0;
const reactions = 2 * jobs - 1;
console.error(`${ms.toFixed(0)} ms, ${frames} frames (${(frames / reactions).toFixed(1)} per reaction)`);
for (const [k, v] of Object.entries(counts).sort((a, b) => b[1] - a[1])) console.error(`  ${k}: ${v} (${(v / reactions).toFixed(2)} per reaction)`);
await lab.stop();
process.exit(0);
