// Browser consumer, type-checked under the bundler and create-vite tsconfigs and built by Vite.
import { joinRoom as joinWithoutWebRtc, reactor, createMachine, type JoinedRoom } from 'kinetic-mesh';
import { joinRoom } from 'kinetic-mesh/webrtc';

export const counter = reactor({ name: 'counter', version: '1.0.0' }, (r) => {
  const count = r.molecule<number>('count', { distributed: true });
  const incr = r.molecule('incr', { distributed: true });
  const read = r.blocking<void, number>('read', { distributed: true });
  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  r.react('read', [count, read], ([n, call], out) => {
    out(count, n);
    call.reply(n);
  });
  return { count, incr, read };
});

export async function start(): Promise<JoinedRoom> {
  const room = await joinRoom(location.href, { reactors: { counter }, name: 'tab', newHistory: true, iceServers: [{ urls: 'stun:stun.example.org' }] });
  room.emit.counter.incr();
  const n: number = await room.emit.counter.read(undefined, { timeoutMs: 1000 });
  document.title = String(n);
  return room;
}
export const local = createMachine().load(counter).emit;
export const plain = joinWithoutWebRtc;

start().catch((e: unknown) => console.error(e));
