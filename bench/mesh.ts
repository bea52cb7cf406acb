// bench/mesh: five separate Chromium instances on loopback, driving lab/mesh.html (build first: `npx vite build`).
// - joinAllMs: a freshly loaded 5th page, from before createMeshRoom (key derivation, signaling connect, sealed
//   handshake, ICE) until it is linked with the other 4;
// - rttRatioVsRaw: mean round trip over ≥ 1,000 messages through our webrtc room vs a bare RTCDataChannel
//   between the same two pages in the same run;
// - throughputMiBs: 64 KiB messages through the room (median of 7 rounds of 20 MiB, taking turns ABBA with the
//   raw channel's rounds, so neither always goes first); throughputRatio: over the raw channel's median in the
//   same run; throughputCpuPerMiBRatio: CPU both browsers spend per MiB, ours over raw (medians), steadier
//   than the speed ratio on a loaded machine;
// - details: raw numbers, repeated joins, the time a crashed peer takes to disappear from the others.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { createSignalingServer } from '../signaling-server/src/index';
import { closeAll, openPeer, type PeerPage } from '../e2e/harness';
import type { MeshLab } from '../lab/mesh';
import { stats, writeResult } from './lib/result';

const dist = path.resolve(process.env['MESH_BENCH_DIST'] ?? 'dist/app');
if (!fs.existsSync(path.join(dist, 'lab', 'mesh.html'))) {
  console.error(`bench/mesh: ${dist}/lab/mesh.html not found; run \`npx vite build\` first`);
  process.exit(2);
}
const RTT_SAMPLES = Number(process.env['MESH_RTT_SAMPLES'] ?? 2000);
const BULK_BYTES = 64 * 1024;
const BULK_COUNT = 320; // 20 MiB a round (8 MiB rounds, 14 of them, swung even more at load 30: 0.79-1.50)
const TPUT_ROUNDS = Number(process.env['MESH_TPUT_ROUNDS'] ?? 7);

const server = createSignalingServer({ port: 0, host: '127.0.0.1', staticDir: dist });
await server.ready;
const base = `http://127.0.0.1:${server.address().port}/lab/mesh.html`;
const room = `bench-${Date.now()}`;
const join = { room, key: 'bench-key-0123456789' };
const peers: PeerPage[] = [];

/** Summed CPU ms of every process (renderers, GPU, network service, browser) of the given browser instances. */
async function cpuMeter(of: readonly PeerPage[]): Promise<() => Promise<number>> {
  const sessions = await Promise.all(of.map((p) => p.browser.newBrowserCDPSession()));
  return async () => {
    let ms = 0;
    for (const s of sessions) for (const p of (await s.send('SystemInfo.getProcessInfo')).processInfo) ms += p.cpuTime * 1000;
    return ms;
  };
}

async function waitOn(page: Page, fn: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  await page.waitForFunction(fn, undefined, { timeout: timeoutMs, polling: 5 });
  return performance.now() - t0;
}

try {
  for (let i = 0; i < 5; i++) peers.push(await openPeer('chromium', base, `b${i + 1}` as 'chromium'));
  const [p1, p2, , , p5] = peers as [PeerPage, PeerPage, PeerPage, PeerPage, PeerPage];
  for (let i = 0; i < 4; i++) await peers[i]!.page.evaluate((o) => window.mesh.join(o), { ...join, waitFor: i });
  await waitOn(p1.page, 'window.mesh.peers().length === 3', 15_000);

  // The fresh 5th page: its library code is cold, as in the anchors' measurement.
  const fresh = await p5.page.evaluate((o) => window.mesh.join(o), { ...join, waitFor: 4 });
  const joinAllMs = fresh.ms;
  // Repeats: leave, wait until the others dropped it, rejoin from the same page.
  const repeats: number[] = [];
  for (let i = 0; i < 5; i++) {
    await p5.page.evaluate(() => window.mesh.leave());
    await waitOn(p1.page, 'window.mesh.peers().length === 3', 5000);
    await new Promise((r) => setTimeout(r, 300));
    // join() repeats the last options, waitFor: 4 included, so the time is measured in the page alone.
    repeats.push((await p5.page.evaluate(() => window.mesh.join(undefined))).ms);
  }
  await Promise.all(peers.map((p) => waitOn(p.page, 'window.mesh.peers().length === 4', 10_000)));
  const link = await p1.page.evaluate(() => window.mesh.links());

  // Raw RTCDataChannel between pages 1 and 2, SDP handed over by this driver.
  const offer = await p1.page.evaluate(() => window.mesh.raw.offer());
  const answer = await p2.page.evaluate((o) => window.mesh.raw.answer(o), offer);
  await p1.page.evaluate((a) => window.mesh.raw.accept(a), answer);
  await waitOn(p2.page, 'true', 1000);

  const to2 = await p2.page.evaluate(() => window.mesh.self() as string);
  // Interleave the two measurements so machine load hits both alike.
  const ours: number[] = [];
  const raw: number[] = [];
  const rounds = 4;
  for (let r = 0; r < rounds; r++) {
    raw.push(await p1.page.evaluate((n) => window.mesh.raw.rtt(n), RTT_SAMPLES / rounds));
    ours.push(await p1.page.evaluate(([to, n]) => window.mesh.rtt(to, n), [to2, RTT_SAMPLES / rounds] as const));
  }
  const rttOurs = ours.reduce((a, b) => a + b, 0) / rounds;
  const rttRaw = raw.reduce((a, b) => a + b, 0) / rounds;

  // Alternating rounds, and the ratio of the medians: one round's figure swings 3x on a shared machine.
  // The CPU both browsers spend per MiB is the steadier figure: a loaded machine slows both paths, but the
  // work each path does per byte hardly changes (the channel itself, DTLS + SCTP, is most of it).
  const cpu = await cpuMeter([p1, p2]);
  const tputRaw: number[] = [];
  const tputOurs: number[] = [];
  const cpuRaw: number[] = [];
  const cpuOurs: number[] = [];
  const bulkMiB = (BULK_BYTES * BULK_COUNT) / (1024 * 1024);
  const rawRound = async (): Promise<void> => {
    const c0 = await cpu();
    tputRaw.push(await p1.page.evaluate(([b, c]) => window.mesh.raw.throughput(b, c), [BULK_BYTES, BULK_COUNT] as const));
    cpuRaw.push(((await cpu()) - c0) / bulkMiB);
  };
  const oursRound = async (): Promise<void> => {
    const c0 = await cpu();
    tputOurs.push(await p1.page.evaluate(([to, b, c]) => window.mesh.throughput(to, b, c), [to2, BULK_BYTES, BULK_COUNT] as const));
    cpuOurs.push(((await cpu()) - c0) / bulkMiB);
  };
  for (let r = 0; r < TPUT_ROUNDS; r++) {
    if (r % 2 === 0) await rawRound().then(oursRound);
    else await oursRound().then(rawRound);
  }
  const throughputMiBs = stats(tputOurs).p50;
  const rawMiBs = stats(tputRaw).p50;

  // A crashed renderer (no goodbye): how long until the others drop it.
  const victim = await p5.page.evaluate(() => window.mesh.self() as string);
  const cdp = await p5.context.newCDPSession(p5.page);
  void cdp.send('Page.crash').catch(() => undefined);
  const dropMs = await Promise.all(peers.slice(0, 4).map((p) => waitOn(p.page, `!window.mesh.peers().includes(${JSON.stringify(victim)})`, 10_000)));

  writeResult(
    'mesh',
    {
      joinAllMs: Math.round(joinAllMs * 10) / 10,
      rttRatioVsRaw: Math.round((rttOurs / rttRaw) * 1000) / 1000,
      throughputMiBs: Math.round(throughputMiBs * 100) / 100,
      throughputRatio: Math.round((throughputMiBs / rawMiBs) * 1000) / 1000,
      throughputCpuPerMiBRatio: Math.round((stats(cpuOurs).p50 / stats(cpuRaw).p50) * 1000) / 1000,
    },
    {
      joinAllRepeatMs: stats(repeats),
      rttMs: { ours: rttOurs, raw: rttRaw, samples: RTT_SAMPLES, perRound: { ours, raw } },
      throughput: {
        oursMiBs: tputOurs,
        rawMiBs: tputRaw,
        ratioOfMedians: throughputMiBs / rawMiBs,
        messageBytes: BULK_BYTES,
        messages: BULK_COUNT,
        cpuMsPerMiB: { ours: cpuOurs, raw: cpuRaw, note: 'CPU of every process of browsers 1 and 2 (SystemInfo.getProcessInfo, 10 ms ticks) per MiB sent; ratio metric: medians, ours / raw' },
      },
      deadPeerDropMs: { max: Math.max(...dropMs), each: dropMs, note: 'polled every 5 ms from the driver' },
      linksFromPeer1: link,
      setup: '5 separate Chromium instances, loopback, iceServers [], room key set (PBKDF2 100k inside joinAllMs)',
    },
  );
} finally {
  await closeAll(peers);
  await server.close();
}

export type { MeshLab };
