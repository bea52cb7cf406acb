// The rendezvous of a room without a key, as MeshRoom builds it (the cipher is a promise that settles to null):
// frames queued while the promise was pending keep their order ahead of the ones passed on at once after it,
// and a listener that throws is reported, never thrown into the socket.
import { afterEach, describe, expect, it } from 'vitest';
import { asPeerId, type PeerId } from '../../src/core/ids';
import type { Rendezvous } from '../../src/mesh/rendezvous';
import type { RoomCipher } from '../../src/mesh/room/crypto';
import { rendezvousWith, startServer } from './node-peers';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 5))) if (Date.now() > end) throw new Error('timed out');
}

async function pair(cipher: Promise<RoomCipher | null>): Promise<[Rendezvous, Rendezvous]> {
  const { server, url } = await startServer();
  const [a, b] = [asPeerId('a'), asPeerId('b')].map((id) => rendezvousWith(url, 'room-rv', id, cipher)) as [Rendezvous, Rendezvous];
  closers.push(async () => {
    await a.client.close();
    await b.client.close();
    await server.close();
  });
  return [a, b];
}

describe('rendezvous without a room key', () => {
  it('keeps each sender\'s order across the cipher settling', async () => {
    let settle!: (c: RoomCipher | null) => void;
    const [a, b] = await pair(new Promise((r) => (settle = r)));
    const got: string[] = [];
    b.on('relay', ({ frame }) => got.push(frame));
    await Promise.all([a.client.connect(), b.client.connect()]);
    // The hellos wait behind the pending cipher; nobody is admitted yet.
    await new Promise((r) => setTimeout(r, 50));
    expect(a.isAdmitted(asPeerId('b'))).toBe(false);
    settle(null);
    await until(() => a.isAdmitted(asPeerId('b')) && b.isAdmitted(asPeerId('a')));
    for (let i = 0; i < 300; i++) expect(a.relay(asPeerId('b'), `f${i}`)).toBe(true);
    await until(() => got.length === 300);
    expect(got).toEqual(Array.from({ length: 300 }, (_, i) => `f${i}`));
  });

  it('reports a listener that throws as an error and goes on with the next frames', async () => {
    const [a, b] = await pair(Promise.resolve(null));
    const got: string[] = [];
    const errors: Error[] = [];
    b.on('error', (e) => errors.push(e));
    b.on('relay', ({ frame }) => {
      if (frame === 'boom') throw new Error('listener failed');
      got.push(frame);
    });
    await Promise.all([a.client.connect(), b.client.connect()]);
    await until(() => a.isAdmitted(asPeerId('b')) && b.isAdmitted(asPeerId('a')));
    const to: PeerId = asPeerId('b');
    a.relay(to, 'one');
    a.relay(to, 'boom');
    a.relay(to, 'two');
    await until(() => got.length === 2);
    expect(got).toEqual(['one', 'two']);
    expect(errors.map((e) => e.message)).toEqual(['listener failed']);
  });
});
