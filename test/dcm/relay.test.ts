// Three Node peers in one process over the real signaling server (ws-relay links, server lease): the
// distributed counter reaches exactly the number of increments, and a blocking read answered by whichever
// peer runs it resolves on the caller.
import { afterEach, describe, expect, it } from 'vitest';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/src/index';
import { asPeerId } from '../../src/core/ids';
import { reactor } from '../../src/core/reactor';
import { startNodePeer, type NodePeer } from '../../src/node/peer';

const counter = reactor({ name: 'relay-counter', version: '1.0.0' }, (r) => {
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

let server: SignalingServer | null = null;
let peers: NodePeer[] = [];

afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop().catch(() => undefined)));
  peers = [];
  await server?.close();
  server = null;
});

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('distributed room over the real signaling server', () => {
  it('counts every increment exactly once across three peers', async () => {
    server = createSignalingServer({ port: 0, limits: { leaseTtlMs: 600 } });
    await server.ready;
    const url = `ws://127.0.0.1:${server.address().port}/signal`;
    peers = await Promise.all(['a', 'b', 'c'].map((id) => startNodePeer({ signalingUrl: url, roomName: 'relay-test', peerId: asPeerId(id) })));
    await until(() => peers.every((p) => p.mesh.peers().length === 2), 5000, 'links');
    const loaded = peers.map((p) => p.machine.load(counter));
    loaded[0]?.emit.count(0);
    for (let i = 0; i < 30; i++) loaded[i % 3]?.emit.incr();
    await until(() => peers.every((p) => p.room.status().members.length === 3), 5000, 'membership');
    // A blocking read runs on whichever peer wins the count; poll until every increment is in.
    let value = -1;
    const deadline = Date.now() + 8000;
    while (value !== 30 && Date.now() < deadline) value = (await loaded[2]?.emit.read(undefined, { timeoutMs: 3000 })) ?? -1;
    expect(value).toBe(30);
    expect(peers.every((p) => p.room.status().invalidMessages === 0)).toBe(true);
    const statuses = peers.map((p) => p.room.status());
    expect(new Set(statuses.map((s) => s.sequencer)).size).toBe(1);
  }, 30_000);
});
