// bench/workers: the reaction pool's speedup on a CPU-bound map/reduce, cold start of a room with 10,000
// stored molecules, and IndexedDB write throughput — in Chromium, on lab/workers.html.
//   npm run bench -- workers        (needs `npx vite build` first; KINETIC_DIST=<dir> serves another build)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { launch } from '../e2e/harness';
import { stats, writeResult } from './lib/result';
// For its `window.lab` declaration only (erased at run time).
import type {} from '../lab/workers';

const root = path.resolve(import.meta.dirname, '..');
const PORT = Number(process.env.BENCH_PORT ?? 8833);
const DIST = process.env.KINETIC_DIST ?? path.join(root, 'dist', 'app');
const JOBS = 32;
const COST_MS = 50;
const RUNS = 3;

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() - start > timeoutMs) throw new Error(`server at ${url} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const server = spawn(process.execPath, [path.join(root, 'signaling-server/bin/kinetic-signal.mjs'), '--port', String(PORT), '--host', '127.0.0.1', '--static', DIST], { stdio: 'ignore' });
try {
  await waitForServer(`http://127.0.0.1:${PORT}/healthz`, 15_000);
  const browser = await launch('chromium');
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://127.0.0.1:${PORT}/lab/workers.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    const cores = await page.evaluate(() => window.lab.cores);

    const single: number[] = [];
    const pooled: number[] = [];
    let longTasks = 0;
    let workers = 0;
    for (let i = 0; i < RUNS; i++) {
      const p = await page.evaluate(([j, c]) => window.lab.poolMapReduce(j, c), [JOBS, COST_MS] as const);
      const s = await page.evaluate(([j, c]) => window.lab.singleThreadMapReduce(j, c), [JOBS, COST_MS] as const);
      if (p.sum !== p.expected || s.sum !== s.expected) throw new Error('map/reduce gave a wrong sum');
      pooled.push(p.wallMs);
      single.push(s.wallMs);
      longTasks += p.longTasks;
      workers = p.workers;
    }
    const speedup = stats(single).p50 / stats(pooled).p50;

    // The same work through the whole stack: distributed jobs claimed via the room protocol in the machine
    // worker, bodies in its pool (speedup = summed body time / wall time, as the mapreduce reactor reports).
    await page.evaluate((r) => window.lab.machineOpen(r), `bench-${Date.now()}`);
    await page.waitForFunction(() => window.lab.machineView()?.isSequencer === true, undefined, { timeout: 15_000 });
    const viaMachine = await page.evaluate(([j, c]) => window.lab.machineMapReduce(j, c), [JOBS, COST_MS] as const);
    await page.evaluate(() => window.lab.machineClose());

    const cold: number[] = [];
    const seeds: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await page.evaluate(() => window.lab.coldStart(10_000));
      if (r.count < 10_000) throw new Error(`cold start restored ${r.count} molecules, not 10,000`);
      cold.push(r.ms);
      seeds.push(r.seedMs);
    }

    const writes = await page.evaluate(() => window.lab.storeWriteRate(2000));

    writeResult(
      'workers',
      {
        poolSpeedupPerCore: speedup / cores,
        cores,
        coldStart10kMs: Math.round(stats(cold).p50),
        // Puts committed per second when written in batches of 100, as the persistence layers write.
        storeWritesPerSecond: Math.round(writes.batched),
        // One put per transaction (the dcm log writes one transaction per entry): the per-commit cost.
        storeTransactionsPerSecond: Math.round(Math.max(writes.sequential, writes.pipelined)),
      },
      {
        mapReduce: { jobs: JOBS, costMs: COST_MS, poolWorkers: workers, singleMs: single, poolMs: pooled, speedup, mainThreadLongTasksDuringPool: longTasks },
        mapReduceViaMachine: { jobs: JOBS, costMs: COST_MS, wallMs: viaMachine.wallMs, speedup: viaMachine.speedup, speedupPerCore: viaMachine.speedup / cores },
        coldStart: { molecules: 10_000, runsMs: cold, seedMs: seeds, what: 'connectRoom() until the first view showing all 10,000 restored local molecules' },
        storeWrites: { pipelinedSaves: writes.pipelined, sequentialSaves: writes.sequential, batchedPuts: writes.batched },
        targets: { poolSpeedupPerCore: '>= 0.8', coldStart10kMs: '< 500' },
      },
    );
  } finally {
    await browser.close();
  }
} finally {
  server.kill();
}
