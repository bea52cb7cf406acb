// Test page for e2e/dcm*.spec.ts: one peer per page — mesh room (WebRTC + relay), server-lease elector,
// distributed room and chemical machine on the main thread — running a distributed counter with exactly
// one `count` in the room. Driven through `window.dcm`.
import { createMachine } from '../src/core/machine';
import type { Machine } from '../src/core/machine-api';
import { reactor } from '../src/core/reactor';
import { createLeaseElector } from '../src/dcm/electors/lease';
import { createDistributedRoom, type DistributedRoom } from '../src/dcm/room';
import { leaveOnPageHide } from '../src/mesh/page-lifecycle';
import { createMeshRoom, type MeshRoom } from '../src/mesh/room/mesh-room';
import { webRtcLink } from '../src/mesh/webrtc';
import { wsRelayLink } from '../src/mesh/ws-relay';
import { systemClock } from '../src/core/clock';
import { createMemoryStore } from '../src/store/memory';

const counter = reactor({ name: 'lab-counter', version: '1.0.0' }, (r) => {
  const count = r.molecule<number>('count', { distributed: true });
  const incr = r.molecule('incr', { distributed: true });
  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  return { count, incr };
});

const signalingUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
const countView = document.getElementById('count') as HTMLElement;
const statusView = document.getElementById('status') as HTMLElement;
let mesh: MeshRoom | null = null;
let room: DistributedRoom | null = null;
let machine: Machine | null = null;
let emitted = 0;
let incrementing = false;
const errors: string[] = [];

const value = (): number | null => {
  const copies = room?.peek(counter.id, 'count') ?? [];
  return copies.length === 1 ? (copies[0]?.value as number) : null;
};

function render(): void {
  countView.textContent = String(value() ?? '–');
  statusView.textContent = JSON.stringify(room?.status() ?? 'idle', null, 1);
}

const dcm = {
  async join(o: { room: string; key: string }): Promise<string> {
    mesh = createMeshRoom({ roomName: o.room, key: o.key, storage: sessionStorage, links: [webRtcLink(), wsRelayLink()], signalingUrl });
    const elector = createLeaseElector({ self: mesh.self, lease: mesh.lease, clock: systemClock });
    room = createDistributedRoom({ self: mesh.self, transport: mesh, elector, store: createMemoryStore() });
    machine = createMachine({ peerId: mesh.self, distributed: room });
    machine.load(counter);
    machine.on('error', (e) => errors.push(e.error.message));
    room.on('error', (e) => errors.push(e.message));
    room.on('applied', render);
    room.on('status', render);
    leaveOnPageHide(mesh, window);
    await room.start();
    await mesh.connect();
    return mesh.self;
  },
  /** The first peer puts the one and only `count` into the room. */
  seed(): void {
    machine?.get(counter.id)?.feed('count', 0);
  },
  /** Emit `n` increments, one every `everyMs`, concurrently with whatever else runs. */
  async increment(n: number, everyMs: number): Promise<void> {
    incrementing = true;
    for (let i = 0; i < n; i++) {
      machine?.get(counter.id)?.feed('incr');
      emitted++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
    incrementing = false;
  },
  self: (): string | null => mesh?.self ?? null,
  value,
  emitted: (): number => emitted,
  incrementing: (): boolean => incrementing,
  status: () => room?.status() ?? null,
  shown: (): string => countView.textContent ?? '',
  errors: (): string[] => [...errors],
};

export type DcmLab = typeof dcm;

declare global {
  interface Window {
    dcm: DcmLab;
  }
}
window.dcm = dcm;
render();
