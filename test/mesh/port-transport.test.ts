// The worker-side Transport over a MessagePort must pass the same acceptance suite as every transport:
// here each peer is a memory transport (main thread) served over a MessageChannel to a port transport
// (what the machine worker sees).
import { describe, expect, it } from 'vitest';
import { seededRandom, systemClock } from '../../src/core/clock';
import { asEpoch, asPeerId, type PeerId } from '../../src/core/ids';
import type { LeaseClient, LeaseState } from '../../src/mesh/lease';
import { createMemoryNetwork } from '../../src/mesh/memory';
import { runTransportTests, until } from '../../src/mesh/testing/transport-suite';
import type { Transport } from '../../src/mesh/transport';
import { createPortTransport, type PortTransport } from '../../src/mesh/port/port-transport';
import { serveRoomPort } from '../../src/mesh/port/port-host';

function overPort(inner: Transport, lease: LeaseClient | null = null): { worker: PortTransport; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const host = serveRoomPort(port1, inner, lease);
  const worker = createPortTransport(port2, inner.self);
  return {
    worker,
    close() {
      host.stop();
      worker.close();
      port1.close();
      port2.close();
    },
  };
}

runTransportTests('port transport over memory', async () => {
  const net = createMemoryNetwork({ clock: systemClock, random: seededRandom(7) });
  const made: Array<{ close(): void }> = [];
  return {
    async create(n) {
      return Array.from({ length: n }, (_, i) => {
        const p = overPort(net.transport(asPeerId(`peer-${i}`)));
        made.push(p);
        return p.worker;
      });
    },
    async cleanup() {
      for (const p of made) p.close();
    },
  };
});

describe('room port', () => {
  it('forwards the signaling lease both ways', async () => {
    const requests: number[] = [];
    const listeners = new Set<(s: LeaseState) => void>();
    const lease: LeaseClient = {
      requestLease: (minEpoch) => requests.push(minEpoch),
      releaseLease: () => requests.push(-1),
      onLease: (l) => (listeners.add(l), () => listeners.delete(l)),
      online: true,
    };
    const net = createMemoryNetwork({ clock: systemClock, random: seededRandom(1) });
    const p = overPort(net.transport(asPeerId('a')), lease);
    const seen: LeaseState[] = [];
    p.worker.lease.onLease((s) => seen.push(s));
    p.worker.lease.requestLease(3);
    p.worker.lease.releaseLease();
    await until(() => requests.length === 2, 2000, 'lease requests at the main thread');
    expect(requests).toEqual([3, -1]);
    for (const l of listeners) l({ holder: 'a' as PeerId, epoch: asEpoch(4), ttlMs: 2000 });
    await until(() => seen.length === 1, 2000, 'lease state in the worker');
    expect(seen[0]).toEqual({ holder: 'a', epoch: 4, ttlMs: 2000 });
    expect(p.worker.lease.online).toBe(true);
    p.close();
  });

  it('drops and counts malformed messages', async () => {
    const net = createMemoryNetwork({ clock: systemClock, random: seededRandom(2) });
    const { port1, port2 } = new MessageChannel();
    const worker = createPortTransport(port2, asPeerId('w'));
    const host = serveRoomPort(port1, net.transport(asPeerId('w')));
    port1.postMessage({ v: 1, type: 'message', from: 42 });
    port1.postMessage({ v: 99, type: 'peers', peers: [] });
    port2.postMessage({ type: 'send' });
    // In a batch each item is checked alone: the malformed one is counted, the others are delivered.
    const seen: string[] = [];
    worker.on('peer-candidate', ({ peerId }) => seen.push(peerId));
    port1.postMessage({ v: 1, type: 'batch', items: [{ v: 1, type: 'peer-candidate', peerId: 'x' }, { v: 1, type: 'peer-candidate' }, { v: 1, type: 'batch', items: [] }, { v: 1, type: 'peer-candidate', peerId: 'y' }] });
    await until(() => worker.invalid === 4 && host.invalid === 1 && seen.length === 2, 2000, 'invalid counts');
    expect(seen).toEqual(['x', 'y']);
    host.stop();
    worker.close();
    port1.close();
    port2.close();
  });
});
