// The `ws` client of Node peers (src/node/ws-factory.ts) as its server sees it on the wire: text frames masked
// with a zero key (the payload in clear, no XOR pass), a burst corked into one socket write, and frames back
// delivered as strings through the browser-shaped `onmessage`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { nodeWsSocket } from '../../src/node/ws-factory';
import { corkForTick } from '../../src/protocol/cork';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 5))) if (Date.now() > end) throw new Error('timed out');
}

/** A ws server that records the raw bytes of each socket read and echoes every text frame back. */
async function echoServer(): Promise<{ url: string; chunks: Buffer[]; frames: string[] }> {
  const http = createServer();
  servers.push(http);
  const wss = new WebSocketServer({ server: http });
  const chunks: Buffer[] = [];
  const frames: string[] = [];
  wss.on('connection', (ws, req) => {
    req.socket.on('data', (c: Buffer) => chunks.push(c));
    ws.on('message', (data) => {
      frames.push(data.toString());
      ws.send(`echo:${data.toString()}`);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`, chunks, frames };
}

describe('the Node peer WebSocket', () => {
  it('masks with a zero key, corks a burst into one write, and hands frames back as text', async () => {
    const { url, chunks, frames } = await echoServer();
    const ws = nodeWsSocket(url);
    const got: unknown[] = [];
    ws.onmessage = (ev) => got.push(ev.data);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = reject;
    });
    ws.send('hello');
    await until(() => frames.length === 1);
    // FIN + text, MASK bit + length 5, a zero masking key, then the payload as it was.
    expect([...(chunks.at(-1) ?? [])]).toEqual([0x81, 0x85, 0, 0, 0, 0, ...Buffer.from('hello')]);
    const before = chunks.length;
    corkForTick(ws);
    for (let i = 0; i < 50; i++) ws.send(`f${i}`);
    await until(() => frames.length === 51);
    expect(chunks.length - before).toBe(1);
    await until(() => got.length === 51);
    expect(got[0]).toBe('echo:hello');
    expect(got.at(-1)).toBe('echo:f49');
    const closed = new Promise<number>((r) => (ws.onclose = (ev) => r(ev.code)));
    ws.close(1000, 'done');
    expect(await closed).toBe(1000);
  });
});
