// The reaction pool in a real browser: a CPU-bound map/reduce runs on workers importing the reactor module
// by URL, the answer is right, the main thread sees no long task (> 50 ms), and failures are contained.
import { expect, test } from '@playwright/test';
import { closeAll, openPeer } from './harness';
// For its `window.lab` declaration only (erased at run time).
import type {} from '../lab/workers';

const LAB = '/lab/workers.html';

test('CPU-bound map/reduce in the pool leaves the main thread free of long tasks', async ({ baseURL }) => {
  const peer = await openPeer('chromium', `${baseURL}${LAB}`);
  try {
    await peer.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    const run = await peer.page.evaluate(() => window.lab.poolMapReduce(40, 60));
    expect(run.sum).toBe(run.expected);
    expect(run.workers).toBeGreaterThanOrEqual(1);
    expect(run.longTasks).toBe(0);
    // The baseline really is heavy: the same jobs on the main thread produce long tasks.
    const single = await peer.page.evaluate(() => window.lab.singleThreadMapReduce(4, 60));
    expect(single.sum).toBe(single.expected);
    expect(single.longTasks).toBeGreaterThan(0);
    expect(peer.errors).toEqual([]);
  } finally {
    await closeAll([peer]);
  }
});

test('a throwing body fails its run; a dying worker is replaced', async ({ baseURL }) => {
  const peer = await openPeer('chromium', `${baseURL}${LAB}`);
  try {
    await peer.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    const r = await peer.page.evaluate(() => window.lab.poolFailures());
    expect(r.thrown).toBe('RangeError: boom in the pool');
    expect(r.died).toMatch(/^PoolWorkerDiedError/);
    expect(r.replaced).toBe(1);
    expect(r.after).toBe(49);
  } finally {
    await closeAll([peer]);
  }
});
