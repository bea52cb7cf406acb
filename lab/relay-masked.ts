// lab: CPU of relaying through kinetic-signal when every client masks its frames with a random key, as
// browsers must: two ws-relay transports in this process (ws clients with their default random masks), A sends
// B 64 KiB messages, CPU per MiB of this process (both clients and the server). Run it twice to see what
// `bufferutil` (ws's native masking, an optional dependency) saves on the server's unmasking and the clients'
// masking: `npx tsx lab/relay-masked.ts` and `WS_NO_BUFFER_UTIL=1 npx tsx lab/relay-masked.ts`.
import { asPeerId } from '../src/core/ids';
import { roomHash } from '../src/mesh/room/crypto';
import { createWsRelayTransport } from '../src/mesh/ws-relay';
import { rendezvous, startServer } from '../test/mesh/node-peers';

const BYTES = 64 * 1024;
const COUNT = Number(process.env['COUNT'] ?? 320);
const ROUNDS = Number(process.env['ROUNDS'] ?? 5);
const { server, url } = await startServer({ limits: { messagesPerSecond: 1_000_000 } });
const room = await roomHash('relay-masked');
const [a, b] = ['a', 'b'].map((id) => createWsRelayTransport({ rendezvous: rendezvous(url, room, asPeerId(id)), ownsClient: true }));
if (!a || !b) throw new Error('no transports');
await Promise.all([a.connect(), b.connect()]);
for (const end = Date.now() + 10_000; !(a.peers().length && b.peers().length); await new Promise((r) => setTimeout(r, 10)))
  if (Date.now() > end) throw new Error('peers never met');
const payload = 'x'.repeat(BYTES - 64);
let got = 0;
b.on('message', () => got++);
for (let r = 0; r < ROUNDS; r++) {
  const target = got + COUNT;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) {
    a.send(asPeerId('b'), { i, payload });
    if (i % 16 === 15) await new Promise((res) => setImmediate(res));
  }
  for (const end = Date.now() + 60_000; got < target; await new Promise((res) => setTimeout(res, 1)))
    if (Date.now() > end) throw new Error('messages lost');
  const c = process.cpuUsage(c0);
  const mib = (COUNT * BYTES) / (1024 * 1024);
  console.error(`round ${r}: ${(((c.user + c.system) / 1000) / mib).toFixed(2)} ms CPU per MiB, ${(mib / ((performance.now() - t0) / 1000)).toFixed(0)} MiB/s`);
}
await Promise.all([a.disconnect(), b.disconnect()]);
await server.close();
process.exit(0);
