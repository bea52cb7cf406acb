// Raw relay frames (`R<peer>\n<data>`): the server forwards the data bytes unchanged to clients that read
// them, converts for clients that do not (either direction), and answers malformed ones with an error frame.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/src/index';
import { encodeRawRelay, parseRawRelay, parseRawRelayBytes } from '../../src/protocol/signaling';
import { until } from '../../src/mesh/testing/transport-suite';
import { startServer } from '../mesh/node-peers';
import { RawClient } from './raw-client';

let server: SignalingServer | null = null;
let clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await server?.close();
  server = null;
});

async function client(url: string): Promise<RawClient> {
  const c = await RawClient.open(url);
  clients.push(c);
  return c;
}

describe('raw relay frames', () => {
  it('encode and parse are inverse for token peers; any other text is null, never a throw', () => {
    const peer = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,128}$/);
    fc.assert(
      fc.property(peer, fc.string({ unit: 'binary' }), (p, data) => {
        expect(parseRawRelay(encodeRawRelay(p, data))).toEqual({ peer: p, data });
        const bytes = parseRawRelayBytes(Buffer.from(encodeRawRelay(p, data)));
        expect(bytes?.peer).toBe(p);
        expect(Buffer.from(bytes?.data ?? []).toString()).toBe(Buffer.from(data).toString());
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const r = parseRawRelay(text);
        if (r) expect(encodeRawRelay(r.peer, r.data)).toBe(text);
        parseRawRelayBytes(Buffer.from(text));
      }),
    );
    for (const bad of ['', 'R', 'R\nx', 'Rb', 'Ra b\nx', `R${'x'.repeat(129)}\nx`, '{"v":1}']) {
      expect(parseRawRelay(bad)).toBeNull();
      expect(parseRawRelayBytes(Buffer.from(bad))).toBeNull();
    }
  });

  it('forwards data unchanged between raw clients and converts for a JSON client, both ways', async () => {
    const s = await startServer();
    server = s.server;
    const a = await client(s.url);
    const b = await client(s.url);
    const c = await client(s.url);
    expect((await a.join('room-r', 'a', 'a-i', true)).rawRelay).toBe(true);
    await b.join('room-r', 'b', 'b-i', true);
    await c.join('room-r', 'c');
    const data = 'm{"k":"m","s":0,"d":"é ✓ \\n \u{1F600} \\"quoted\\""}\n2nd line';
    a.send(encodeRawRelay('b', data));
    await until(() => b.raw.length === 1, 3000, 'raw relay at b');
    expect(parseRawRelay(b.raw[0] as string)).toEqual({ peer: 'a', data });
    a.send(encodeRawRelay('c', data));
    expect(await c.next('relay')).toMatchObject({ from: 'a', data });
    expect(c.raw).toEqual([]);
    c.send({ type: 'relay', to: 'a', data });
    await until(() => a.raw.length === 1, 3000, 'raw relay at a');
    expect(parseRawRelay(a.raw[0] as string)).toEqual({ peer: 'c', data });
    expect([...a.errors(), ...b.errors(), ...c.errors()]).toEqual([]);
  });

  it('answers malformed raw frames, unknown peers and unjoined senders with error frames, then keeps relaying', async () => {
    const s = await startServer();
    server = s.server;
    const stranger = await client(s.url);
    stranger.send(encodeRawRelay('a', 'x'));
    expect(await stranger.next('error')).toMatchObject({ code: 'not-joined', ref: 'relay' });
    const a = await client(s.url);
    const b = await client(s.url);
    await a.join('room-m', 'a', 'a-i', true);
    await b.join('room-m', 'b', 'b-i', true);
    for (const bad of ['R', 'Rb', 'R\nx', 'Rb c\nx', `R${'b'.repeat(200)}\nx`]) {
      a.send(bad);
      expect(await a.next('error')).toMatchObject({ code: 'bad-frame', ref: 'relay' });
    }
    a.send(encodeRawRelay('nobody', 'x'));
    expect(await a.next('error')).toMatchObject({ code: 'unknown-peer', ref: 'relay' });
    a.send(encodeRawRelay('b', 'still fine'));
    await until(() => b.raw.length === 1, 3000, 'relay after the bad frames');
    expect(b.raw[0]).toBe(encodeRawRelay('a', 'still fine'));
  });
});
