// bench/app: the app itself in 4 separate browser instances (3 Chromium + 1 Firefox) on loopback, running
// map/reduce of 200 latency-bound jobs (20 ms each) from the Map/Reduce view (build first: `npx vite build`).
//   mapreduceEfficiency4Browsers  the app's own speedup (summed map time ÷ wall time on the starting peer) ÷ 4
// Details: where the starting Chromium peer spent its time during the run, per thread (main thread, machine
// worker, pool workers): busy time and V8 profiles with their hot spots, from one Chromium trace; the jobs
// each peer mapped; the load average.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { createSignalingServer } from '../signaling-server/src/index';
import { closeAll, openPeer, type BrowserName, type PeerPage } from '../e2e/harness';
import { traceProfiles } from './lib/trace-profiles';
import { writeResult } from './lib/result';

const dist = path.resolve(process.env['APP_BENCH_DIST'] ?? 'dist/app');
if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error(`bench/app: ${dist}/index.html not found; run \`npx vite build\` first`);
  process.exit(2);
}
const JOBS = 200;
const COST_MS = 20;
const BROWSERS: readonly BrowserName[] = ['chromium', 'chromium', 'chromium', 'firefox'];

const server = createSignalingServer({ port: 0, host: '127.0.0.1', staticDir: dist });
await server.ready;
const room = `bench-app-${Date.now()}`;
const url = `http://127.0.0.1:${server.address().port}/#${new URLSearchParams({ room, key: 'bench-app-key', view: 'mapreduce' }).toString()}`;
const peers: PeerPage[] = [];

async function join(page: Page, name: string): Promise<void> {
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('join-room').click();
  await page.getByTestId('mr-start').waitFor({ timeout: 60_000 });
}

const peerCount = (page: Page): Promise<number> => page.getByTestId('peer-count').getAttribute('data-count').then(Number);

async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Run map/reduce from `driver`; the app's report once every peer shows the result. */
async function run(driver: Page, jobs: number, cost: number): Promise<{ speedup: number; wallMs: number; work: number; by: Record<string, number> }> {
  const runs = await driver.getByTestId('mr-run').count();
  await driver.getByTestId('mr-jobs').fill(String(jobs));
  await driver.getByTestId('mr-cost').fill(String(cost));
  await driver.getByTestId('mr-start').click();
  if (runs) await driver.getByTestId('mr-run').and(driver.locator('[data-state="running"]')).waitFor({ timeout: 10_000 }).catch(() => undefined);
  await driver.getByTestId('mr-speedup').waitFor({ timeout: 180_000 });
  await until(async () => (await driver.getByTestId('mr-run').getAttribute('data-state')) === 'done', 180_000, 'map/reduce done');
  const speedup = Number((await driver.getByTestId('mr-speedup').innerText()).replace(/[^0-9.]/g, ''));
  const counts = (await driver.getByTestId('mr-peer-count').allInnerTexts()).map(Number);
  const names = await driver.locator('[data-testid="mr-peers"] li').allInnerTexts();
  const by = Object.fromEntries(names.map((n, i) => [n.replace(/\s+\d+$/, '').trim() || `peer${i}`, counts[i] ?? 0]));
  const dl = await driver.locator('[data-testid="mr-run"] dl').innerText();
  const ms = (label: string): number => {
    const m = new RegExp(`${label}\\s+([0-9.,]+)\\s*(ms|s)`).exec(dl);
    return m ? Number(m[1]?.replace(/,/g, '')) * (m[2] === 's' ? 1000 : 1) : NaN;
  };
  return { speedup, wallMs: ms('Wall time'), work: ms('One peer alone'), by };
}

interface TraceEvent {
  readonly ph: string;
  readonly name: string;
  readonly pid: number;
  readonly tid: number;
  readonly dur?: number;
  readonly args?: { readonly name?: string };
}

/** Busy ms per renderer thread from a Chromium trace: the top-level tasks each thread ran. */
function busyByThread(trace: Buffer): Record<string, number> {
  const { traceEvents } = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] };
  const names = new Map<string, string>();
  for (const e of traceEvents) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  const busy: Record<string, number> = {};
  for (const e of traceEvents) {
    if (e.ph !== 'X' || e.name !== 'RunTask' || !e.dur) continue;
    const thread = names.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
    if (!/CrRendererMain|Worker/i.test(thread)) continue;
    busy[thread] = (busy[thread] ?? 0) + e.dur / 1000;
  }
  return Object.fromEntries(Object.entries(busy).map(([k, v]) => [k, Math.round(v)]));
}

try {
  const load0 = os.loadavg();
  for (const [i, b] of BROWSERS.entries()) {
    const peer = await openPeer(b, url, `${b}${i + 1}` as BrowserName);
    peers.push(peer);
    await join(peer.page, `${b === 'chromium' ? 'C' : 'F'}${i + 1}`);
  }
  await until(async () => (await Promise.all(peers.map((p) => peerCount(p.page)))).every((n) => n === BROWSERS.length - 1), 60_000, 'every peer linked');
  const driver = peers[0] as PeerPage;
  // Warm-up: code paths, links and workers are hot before the measured run.
  await run(driver.page, 20, COST_MS);
  const chromium = driver.browser as Browser & { startTracing?: (page: Page, o: object) => Promise<void>; stopTracing?: () => Promise<Buffer> };
  // The measured run: nothing recording (sampling every thread costs the starting tab enough to move the
  // metric), then the same run again traced: busy time per thread and V8 profiles of every thread (main
  // thread, machine worker, pool workers) from the trace's sampling profiler.
  const t0 = performance.now();
  const server0 = server.stats();
  const measured = await run(driver.page, JOBS, COST_MS);
  const driverWallMs = performance.now() - t0;
  const server1 = server.stats();
  const categories = process.env['APP_TRACE_CATEGORIES']?.split(',') ?? ['toplevel', 'disabled-by-default-devtools.timeline', 'disabled-by-default-v8.cpu_profiler'];
  await chromium.startTracing?.(driver.page, { categories });
  const traced = await run(driver.page, JOBS, COST_MS);
  const trace = await chromium.stopTracing?.();
  const threads = trace ? busyByThread(trace) : {};
  // APP_TRACE_OUT=file keeps the raw trace (Perfetto / DevTools can open it).
  if (trace && process.env['APP_TRACE_OUT']) fs.writeFileSync(process.env['APP_TRACE_OUT'], trace);
  const profileDir = path.join(import.meta.dirname, 'results', 'profiles');
  const profiles = trace ? traceProfiles(trace, profileDir, 'app-thread') : [];
  writeResult(
    'app',
    { mapreduceEfficiency4Browsers: measured.speedup / BROWSERS.length },
    {
      speedup: measured.speedup,
      wallMs: measured.wallMs,
      summedJobMs: measured.work,
      driverObservedMs: driverWallMs,
      jobsByPeer: measured.by,
      // Frames through the signaling server during the measured run: peer traffic the relay carried (not WebRTC).
      serverDuringRun: { framesIn: server1.framesIn - server0.framesIn, framesOut: server1.framesOut - server0.framesOut, relayedBytes: server1.relayedBytes - server0.relayedBytes },
      tracedRun: { speedup: traced.speedup, wallMs: traced.wallMs, note: 'the same run again with the trace below recording' },
      startingPeerBusyMsByThread: threads,
      // Sampled busy ms, the .cpuprofile and the top self-time functions of each thread of the starting tab.
      profilesByThread: profiles,
      setup: `${BROWSERS.join(', ')} (separate instances), loopback, room key set; ${JOBS} jobs × ${COST_MS} ms from the first Chromium after a 20-job warm-up`,
      loadAverage: { before: load0, after: os.loadavg() },
      errors: peers.flatMap((p) => p.errors),
    },
  );
} finally {
  await closeAll(peers);
  await server.close();
}
process.exit(0);
