// One keyed peer process for the outsiders test: a headless Node peer in a room with a key, hosting a tiny
// reactor whose reaction consumes distributed `note` molecules.
//   tsx test/trust/keyed-peer.ts <signalingUrl> <room> <peerId> <key>
// stdout: one JSON line per fact — status (linked peers, sequencer, mesh problem) every 100 ms and on change,
// `taken` for every applied commit of the `take` reaction; stdin: "emit <n>" emits n notes.
import { asPeerId } from '../../src/core/ids';
import { reactor } from '../../src/core/reactor';
import { startNodePeer } from '../../src/node/peer';

const [url = '', roomName = '', id = '', key = ''] = process.argv.slice(2);
const out = (fact: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(fact)}\n`);

const notes = reactor({ name: 'trust-notes', version: '1.0.0' }, (r) => {
  const note = r.molecule<string>('note', { distributed: true });
  r.react('take', [note], () => undefined);
  return { note };
});

const peer = await startNodePeer({ signalingUrl: url, roomName, peerId: asPeerId(id), key, timings: { removeAfterMs: 800 } });
const loaded = peer.machine.load(notes);
let taken = 0;
peer.room.on('applied', (a) => {
  if (a.entry.type === 'commit' && a.entry.reaction === 'take') out({ t: 'taken', n: ++taken });
});
let last = '';
const status = (): void => {
  const s = peer.room.status();
  const fact = { t: 'status', peers: [...peer.mesh.peers()].sort(), sequencer: s.sequencer, role: s.role, problem: peer.mesh.problem };
  const text = JSON.stringify(fact);
  if (text !== last) out(fact);
  last = text;
};
setInterval(status, 100);
status();

let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffer += chunk;
  let nl: number;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const [cmd, arg] = buffer.slice(0, nl).trim().split(' ');
    buffer = buffer.slice(nl + 1);
    if (cmd === 'emit') for (let i = 0; i < Number(arg); i++) loaded.emit.note(`${id}-${i}`);
    if (cmd === 'stop') void peer.stop().then(() => process.exit(0));
  }
});
