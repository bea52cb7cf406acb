// lab: how long a hosted emission takes to leave its peer (emit → the frame with emit+commit handed to the
// transport), in one process with 3 peers, one job at a time; then emit → commit applied at the emitter.
import { labRoom, sleep, work } from './lib/room';
const lab = await labRoom(3, 'x');
const ps = lab.peers;
const loaded = ps.map((p) => p.machine.load(work));
const ei = ps.findIndex((p) => p.room.status().role !== 'sequencer');
const e = ps[ei]!;
let t0 = 0;
let sent = -1;
let seen: number;
const orig = e.mesh.sendEncoded.bind(e.mesh);
e.mesh.sendEncoded = (to, json) => {
  if (sent < 0 && json.includes('"commit"')) sent = performance.now() - t0;
  return orig(to, json);
};
e.room.on('applied', (a) => {
  if (a.entry.type === 'commit' && a.entry.reaction === 'work') seen = performance.now() - t0;
});
const sends: number[] = [], seens: number[] = [];
for (let i = 0; i < Number(process.env.SAMPLES ?? 2000); i++) {
  sent = seen = -1;
  t0 = performance.now();
  loaded[ei]!.emit.job(i);
  while (seen < 0) await new Promise((r) => setImmediate(r));
  if (i >= 200) { sends.push(sent); seens.push(seen); }
  await sleep(0);
}
const p50 = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(3);
console.error(`emit → sent p50 ${p50(sends)} ms, emit → applied p50 ${p50(seens)} ms`);
await lab.stop();
process.exit(0);
