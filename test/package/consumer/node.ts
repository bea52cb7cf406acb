// Node consumer, type-checked under NodeNext with and without the DOM library, and under bundler.
import { reactor, TimeoutError } from 'kinetic-mesh';
import { joinRoom, openDiskStore } from 'kinetic-mesh/node';

const counter = reactor({ name: 'counter', version: '1.0.0' }, (r) => {
  const count = r.molecule<number>('count', { distributed: true });
  const incr = r.molecule('incr', { distributed: true });
  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  return { count, incr };
});

export async function main(link: string): Promise<void> {
  const room = await joinRoom(link, { remote: { counter }, name: 'node', data: './data', callTimeoutMs: 5000 });
  room.emit.counter.incr();
  const store = await openDiskStore('./other');
  await store.save('k', { at: new Date() });
  await store.close();
  await room.close().catch((e: unknown) => (e instanceof TimeoutError ? undefined : Promise.reject(e)));
}
