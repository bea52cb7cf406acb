// A client that stops reading its socket while another relays to it as fast as the server allows: before, the
// server queued every relayed frame for it (up to 2,000 × 1 MiB per second, until the ping sweep dropped the
// reader seconds later), so two sockets could exhaust the server's memory. Now relayed data and signals to a
// connection with more than MAX_BUFFERED_BYTES waiting are dropped and counted; the server keeps serving.
import type { Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/src/index';
import { startServer } from '../mesh/node-peers';
import { RawClient } from '../signaling/raw-client';

let server: SignalingServer | null = null;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = null;
});

/** Everything this process holds (the server's send buffers are strings on the heap and Buffers outside it). */
const buffered = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
};

describe('attack: a client that stops reading', () => {
  it('its relays are dropped past the bound: the server does not queue them without limit, and keeps serving', async () => {
    // A long ping interval, so the liveness sweep (which would drop the reader) is not what bounds the memory.
    const s = await startServer({ limits: { pingIntervalMs: 60_000 } });
    server = s.server;
    const [sender, reader] = [await RawClient.open(s.url), await RawClient.open(s.url)];
    clients.push(sender, reader);
    await sender.join('slow', 'a');
    await reader.join('slow', 'b');
    // The reader's TCP socket stops reading: what the server sends it piles up in the server's send buffer.
    (reader.ws as unknown as { _socket: NetSocket })._socket.pause();
    const data = 'x'.repeat(512 * 1024);
    const frame = JSON.stringify({ v: 1, type: 'relay', to: 'b', data });
    const before = buffered();
    let peak = before;
    let sent = 0;
    // 600 frames of 512 KiB (300 MiB) at the server's frame rate, the sender's own buffer kept small.
    for (let round = 0; round < 2000 && sent < 600; round++) {
      while (sender.ws.bufferedAmount < 2 * 1024 * 1024 && sent < 600) {
        sender.ws.send(frame);
        sent++;
      }
      peak = Math.max(peak, buffered());
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 200));
    peak = Math.max(peak, buffered());
    expect(sent).toBe(600);
    expect(server.stats().rejected['slow-reader'] ?? 0).toBeGreaterThan(500);
    // About MAX_BUFFERED_BYTES waits for the reader, not 300 MiB: the peak is that plus the garbage of parsing
    // 300 MiB of frames (≈ 90 MB measured; ≈ 270 MB held for 400 frames without the bound).
    expect(peak - before).toBeLessThan(180 * 1024 * 1024);
    // The server still answers everyone, the sender included.
    sender.send({ type: 'ping', t: 7 });
    expect((await sender.next('pong')).t).toBe(7);
    const fresh = await RawClient.open(s.url);
    clients.push(fresh);
    expect((await fresh.join('other', 'c')).peers).toEqual([]);
  }, 60_000);
});
