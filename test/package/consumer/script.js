// A consumer script: joins with `kinetic-mesh/node`, uses the bots' reactors by delegation (it hosts none),
// counts to 10 on the shared counter and sends bot-a a direct message.
import { joinRoom } from 'kinetic-mesh/node';
import { counter, letters } from './reactors.js';

const [link] = process.argv.slice(2);
const room = await joinRoom(link, { remote: { counter, letters }, name: 'script', data: './script-data' });
await room.connected;
const until = async (cond, ms, what) => {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 50))) if (Date.now() > end) throw new Error(`timed out: ${what}`);
};
await until(() => room.members().filter((m) => m.name.startsWith('bot-')).length === 2, 15000, 'both bots');
for (let i = 0; i < 10; i++) room.emit.counter.incr();
let count = -1;
for (const end = Date.now() + 20000; count !== 10 && Date.now() < end; ) count = await room.emit.counter.read(undefined, { timeoutMs: 3000 }).catch(() => -1);
console.log(`count ${count}`);
const botA = room.members().find((m) => m.name === 'bot-a');
room.emit.letters.letter({ to: botA.id, text: 'hello bot-a' });
console.log(`sent to ${botA.id}`);
await room.close();
