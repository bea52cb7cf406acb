// A key holder running modified code, as its own OS process (so the victim's memory is measured alone). Once
// linked to <target> it relays well-formed protocol messages as fast as the server takes them for <seconds>:
// frames of 512 `renew`s (nothing refuses them; each is read and checked), sealed in parallel and written
// straight onto the relay — an honest peer seals one frame at a time, a modified one need not.
//   tsx test/trust/flood-peer.ts <signalingUrl> <room> <peerId> <key> <target> <epoch> <seconds>
// stdout: one JSON line per fact — `linked`, then `sent` every second, `done` at the end.
import { asPeerId } from '../../src/core/ids';
import { deriveRoomSecrets } from '../../src/mesh/room/crypto';
import { createWsRelayTransport } from '../../src/mesh/ws-relay';
import { rendezvous } from '../mesh/node-peers';

const [url = '', roomName = '', id = '', key = '', target = '', epoch = '0', seconds = '10'] = process.argv.slice(2);
const out = (fact: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(fact)}\n`);
const to = asPeerId(target);

const secrets = await deriveRoomSecrets(roomName, key, 1000);
const rv = rendezvous(url, secrets.roomId, asPeerId(id), secrets.cipher, { proof: secrets.admission, tag: secrets.tag });
const raw = createWsRelayTransport({ rendezvous: rv, ownsClient: true });
await raw.connect();
for (let i = 0; i < 200 && !raw.peers().includes(to); i++) await new Promise((r) => setTimeout(r, 50));
out({ t: 'linked', ok: raw.peers().includes(to) });
raw.send(to, { k: 'hi', n: 'flood', st: 'up' }); // a room session: its messages are numbered from 0

const renew = (i: number) => ({ v: 1, type: 'renew', epoch: Number(epoch), claimIds: Array.from({ length: 24 }, (_, j) => `${id}~f:c${i}.${j}`) });
const batch = JSON.stringify({ v: 1, type: 'batch', messages: Array.from({ length: 512 }, (_, i) => renew(i)) });
const start = Date.now();
let seq = 0;
let sent = 0;
let lastReport = start;
// Rounds of 16 frames (bounded in time); the server relays up to 2,000 frames/s per connection.
while (Date.now() - start < Number(seconds) * 1000) {
  const frames = Array.from({ length: 16 }, () => `m{"k":"m","s":${seq++},"d":${batch}}`);
  const sealed = await Promise.all(frames.map((f) => secrets.cipher.seal(f)));
  for (const s of sealed) if (rv.client.relay(to, s)) sent++;
  if (Date.now() - lastReport >= 1000) {
    lastReport = Date.now();
    out({ t: 'sent', frames: sent });
  }
  await new Promise((r) => setTimeout(r, 8));
}
out({ t: 'done', frames: sent });
await raw.disconnect();
process.exit(0);
