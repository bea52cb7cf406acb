// bench/mesh-node: bulk throughput between two Node peers over WebRTC (@roamhq/wrtc, both in this process):
// 64 KiB messages through our webrtc transport (simple-peer, framing, backpressure) vs a bare RTCDataChannel
// pair with the same watermarks, 7 rounds of 20 MiB each taken in turns (ABBA), ratio of the medians.
// @roamhq/wrtc never fires `bufferedamountlow`, so the bare sender polls its buffer every millisecond: what an
// application on this addon has to do. CPU is this one process's (both ends) per MiB.
import wrtc from '@roamhq/wrtc';
import type { PeerId } from '../src/core/ids';
import { asPeerId } from '../src/core/ids';
import { roomHash } from '../src/mesh/room/crypto';
import { createWebRtcTransport, type WebRtcTransport } from '../src/mesh/webrtc';
import { rendezvous, startServer } from '../test/mesh/node-peers';
import { stats, writeResult } from './lib/result';

const BYTES = 64 * 1024;
const COUNT = 320; // 20 MiB a round
const ROUNDS = Number(process.env['MESH_NODE_ROUNDS'] ?? 7);
const LOW = 256 * 1024;
const HIGH = 1024 * 1024;
const MiB = (BYTES * COUNT) / (1024 * 1024);
const { RTCPeerConnection } = wrtc as unknown as { RTCPeerConnection: typeof globalThis.RTCPeerConnection };

function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`bench/mesh-node: ${what} took over ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`bench/mesh-node: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A bare channel pair, SDP and candidates handed over in-process. */
async function rawPair(): Promise<{ send: RTCDataChannel; recv: RTCDataChannel; close(): void }> {
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
  b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
  const send = a.createDataChannel('raw');
  const recv = new Promise<RTCDataChannel>((r) => (b.ondatachannel = (e) => r(e.channel)));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription as RTCSessionDescriptionInit);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription as RTCSessionDescriptionInit);
  const channel = await deadline(recv, 15_000, 'the raw channel');
  await until(() => send.readyState === 'open', 15_000, 'the raw channel to open');
  send.bufferedAmountLowThreshold = LOW;
  return { send, recv: channel, close: () => (a.close(), b.close()) };
}

async function rawRound(pair: { send: RTCDataChannel; recv: RTCDataChannel }): Promise<number> {
  const body = 'b'.repeat(BYTES);
  let got = 0;
  const all = new Promise<void>((r) => (pair.recv.onmessage = () => void (++got === COUNT && r())));
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) {
    for (let spins = 0; pair.send.bufferedAmount > HIGH && spins < 10_000; spins++) await new Promise((r) => setTimeout(r, 1));
    pair.send.send(body);
  }
  await deadline(all, 120_000, 'a raw round');
  return MiB / ((performance.now() - t0) / 1000);
}

async function oursRound(a: WebRtcTransport, b: WebRtcTransport, to: PeerId): Promise<number> {
  const body = 'x'.repeat(BYTES);
  let got = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  const off = b.on('message', () => void (++got === COUNT && done()));
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) if (!a.send(to, { bulk: body })) throw new Error('bench/mesh-node: no link');
  await deadline(all, 120_000, 'a round through our transport');
  off();
  return MiB / ((performance.now() - t0) / 1000);
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const { server, url } = await startServer({ host: '127.0.0.1' });
const room = await roomHash(`bench-node-${Date.now()}`);
const [a, b] = [asPeerId('bench-a'), asPeerId('bench-b')].map((id) => createWebRtcTransport({ rendezvous: rendezvous(url, room, id), ownsClient: true, wrtc: wrtc as never }));
let pair: Awaited<ReturnType<typeof rawPair>> | null = null;
try {
  if (!a || !b) throw new Error('bench/mesh-node: two transports expected');
  await Promise.all([a.connect(), b.connect()]);
  await until(() => a.peers().includes(b.self) && b.peers().includes(a.self), 20_000, 'the two Node peers to link');
  pair = await rawPair();
  const raw: number[] = [];
  const ours: number[] = [];
  const cpuRaw: number[] = [];
  const cpuOurs: number[] = [];
  const timed = async (into: number[], cpuInto: number[], round: () => Promise<number>): Promise<void> => {
    const c0 = cpuMs();
    into.push(await round());
    cpuInto.push((cpuMs() - c0) / MiB);
  };
  const p = pair;
  for (let r = 0; r < ROUNDS; r++) {
    const rawOne = (): Promise<void> => timed(raw, cpuRaw, () => rawRound(p));
    const oursOne = (): Promise<void> => timed(ours, cpuOurs, () => oursRound(a, b, b.self));
    if (r % 2 === 0) await rawOne().then(oursOne);
    else await oursOne().then(rawOne);
  }
  writeResult(
    'mesh-node',
    {
      nodeThroughputMiBs: Math.round(stats(ours).p50 * 100) / 100,
      nodeThroughputRatio: Math.round((stats(ours).p50 / stats(raw).p50) * 1000) / 1000,
      nodeCpuPerMiBRatio: Math.round((stats(cpuOurs).p50 / stats(cpuRaw).p50) * 1000) / 1000,
    },
    {
      oursMiBs: ours,
      rawMiBs: raw,
      cpuMsPerMiB: { ours: cpuOurs, raw: cpuRaw },
      setup: `two @roamhq/wrtc peers in one Node process; ${COUNT} messages of ${BYTES} bytes a round; watermarks ${LOW}/${HIGH}; the bare sender polls bufferedAmount every 1 ms (no bufferedamountlow event in wrtc)`,
    },
  );
} finally {
  pair?.close();
  await Promise.all([a?.disconnect(), b?.disconnect()]);
  await server.close();
}
// The wrtc addon can keep the event loop alive after its connections close.
process.exit(0);
