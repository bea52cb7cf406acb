// Test page for e2e/mesh*.spec.ts and bench/mesh.ts: one Room per page, driven through `window.mesh`.
// Every peer echoes `{ echo }` messages back as `{ echoed }`, so round trips can be timed from either side.
import type { PeerId } from '../src/core/ids';
import { broadcastChannelLink } from '../src/mesh/broadcast-channel';
import { leaveOnPageHide } from '../src/mesh/page-lifecycle';
import { createMeshRoom, type MeshRoom } from '../src/mesh/room/mesh-room';
import { meshProblemWords } from '../workers/client/problem-words';
import type { LinkFactory } from '../src/mesh/room/links';
import { webRtcLink } from '../src/mesh/webrtc';
import { wsRelayLink } from '../src/mesh/ws-relay';
import { rawRtc } from './mesh-raw';

type LinkName = 'webrtc' | 'broadcast-channel' | 'ws-relay';

interface JoinOptions {
  room: string;
  key: string;
  name?: string;
  links?: LinkName[];
  /** Resolve once linked with this many peers (and report how long the whole join took). */
  waitFor?: number;
}

const params = new URLSearchParams(location.search);
const signalParam = params.get('signal');
const signalingUrl = signalParam === 'none' ? undefined : (signalParam ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`);
const status = document.getElementById('status') as HTMLElement;

let room: MeshRoom | null = null;
let lastJoin: JoinOptions | null = null;
const received: Array<{ from: string; message: unknown }> = [];
const errors: string[] = [];
const waiters = new Map<number, () => void>();
let echoSeq = 0;

const factories: Record<LinkName, () => LinkFactory> = {
  webrtc: () => webRtcLink(),
  'broadcast-channel': () => broadcastChannelLink(),
  'ws-relay': () => wsRelayLink(),
};

function render(): void {
  if (!room) return void (status.textContent = 'idle');
  status.textContent = JSON.stringify({ self: room.self, signaling: room.signaling, problem: room.problem, members: room.members() }, null, 1);
}

function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const tick = (): void => {
      if (check()) return resolve();
      if (performance.now() - t0 > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms`));
      setTimeout(tick, 2);
    };
    tick();
  });
}

function onMessage(from: PeerId, message: unknown): void {
  const m = message as { echo?: unknown; echoed?: number } | null;
  if (m && typeof m === 'object' && 'echo' in m) return void room?.send(from, { echoed: m.echo });
  if (m && typeof m === 'object' && typeof m.echoed === 'number') return waiters.get(m.echoed)?.();
  if (m && typeof m === 'object' && 'bulk' in m) return; // throughput filler: counted by the echo at the end
  received.push({ from, message });
}

const mesh = {
  /** Join (or rejoin after leave() with no options); returns ms from start until `waitFor` peers are linked. */
  async join(opts?: JoinOptions): Promise<{ self: string; ms: number }> {
    const o = opts ?? lastJoin;
    if (!o) throw new Error('join: no options and no earlier join');
    lastJoin = o;
    const t0 = performance.now();
    if (!room || opts) {
      await room?.disconnect();
      room = createMeshRoom({
        roomName: o.room,
        key: o.key,
        displayName: o.name ?? '',
        storage: sessionStorage,
        links: (o.links ?? ['broadcast-channel', 'webrtc', 'ws-relay']).map((l) => factories[l]()),
        ...(signalingUrl ? { signalingUrl } : {}),
      });
      room.on('message', ({ from, message }) => onMessage(from, message));
      room.on('error', (e) => errors.push(e.message));
      room.on('members', render);
      room.on('signaling', render);
      leaveOnPageHide(room, window);
    }
    await room.connect();
    if (o.waitFor) await waitUntil(() => (room?.peers().length ?? 0) >= (o.waitFor ?? 0), 20_000);
    render();
    return { self: room.self, ms: performance.now() - t0 };
  },
  async leave(): Promise<void> {
    await room?.disconnect();
    render();
  },
  self: (): string | null => room?.self ?? null,
  peers: (): string[] => [...(room?.peers() ?? [])].sort(),
  members: () => room?.members() ?? [],
  links: (): Record<string, string> => Object.fromEntries((room?.members() ?? []).filter((m) => !m.isSelf).map((m) => [m.id, m.link])),
  signaling: (): string => room?.signaling ?? 'offline',
  problem: (): string | null => meshProblemWords(room?.problem ?? null),
  errors: (): string[] => [...errors],
  stats: () => room?.stats() ?? null,
  send: (to: string, message: unknown): boolean => room?.send(to as PeerId, message) ?? false,
  received: () => [...received],
  clearReceived: (): void => void (received.length = 0),
  /** Mean round trip (ms) of `n` sequential echo messages to `to`, after `warmup` untimed ones. */
  async rtt(to: string, n: number, warmup = 20, payload = ''): Promise<number> {
    const once = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const id = ++echoSeq;
        waiters.set(id, () => {
          waiters.delete(id);
          resolve();
        });
        if (!room?.send(to as PeerId, { echo: id, p: payload })) reject(new Error(`no link to ${to}`));
      });
    for (let i = 0; i < warmup; i++) await once();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await once();
    return (performance.now() - t0) / n;
  },
  /** MiB/s for `count` messages of `bytes` each to `to`, timed until the last one is echoed. */
  async throughput(to: string, bytes: number, count: number): Promise<number> {
    const body = 'x'.repeat(bytes);
    const t0 = performance.now();
    for (let i = 0; i < count - 1; i++) room?.send(to as PeerId, { bulk: body });
    await mesh.rtt(to, 1, 0, body);
    return (bytes * count) / (1024 * 1024) / ((performance.now() - t0) / 1000);
  },
  raw: rawRtc,
};

/** The page API, for the Playwright specs and the benchmark. */
export type MeshLab = typeof mesh;

declare global {
  interface Window {
    mesh: MeshLab;
  }
}
window.mesh = mesh;
render();
