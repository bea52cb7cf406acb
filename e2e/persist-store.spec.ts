// The Store on the real IndexedDB of Chromium and Firefox: the acceptance suite, and a page killed in the
// middle of a write opening consistent again.
import { expect, test } from '@playwright/test';
import { closeAll, openPeer, type BrowserName } from './harness';

const LAB = '/lab/workers.html';

for (const name of ['chromium', 'firefox'] as BrowserName[]) {
  test(`store acceptance suite passes on ${name}'s IndexedDB`, async ({ baseURL }) => {
    const peer = await openPeer(name, `${baseURL}${LAB}`);
    try {
      await peer.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
      const results = await peer.page.evaluate(() => window.lab.storeSuite());
      expect(results.length).toBeGreaterThan(5);
      expect(results.filter((r) => r.error !== null)).toEqual([]);
      expect(peer.errors).toEqual([]);
    } finally {
      await closeAll([peer]);
    }
  });
}

test('a page killed mid-write reopens its store consistent', async ({ baseURL }) => {
  const writer = await openPeer('chromium', `${baseURL}${LAB}`);
  const db = `lab-kill-${Date.now()}`;
  try {
    await writer.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    await writer.page.evaluate((n) => window.lab.startWriter(n), db);
    await writer.page.waitForFunction(() => ((globalThis as { writerGenerations?: number }).writerGenerations ?? 0) >= 5);
    const generations = await writer.page.evaluate(() => (globalThis as { writerGenerations?: number }).writerGenerations ?? 0);
    // Kill the renderer while batches are in flight: no unload, no clean close of the database.
    const session = await writer.context.newCDPSession(writer.page);
    const crashed = writer.page.waitForEvent('crash');
    // The command never answers: the renderer is gone before it can.
    void session.send('Page.crash').catch(() => undefined);
    await crashed;
    // Same profile (context), new page: the store must show exactly one whole generation.
    const page = await writer.context.newPage();
    await page.goto(`${baseURL}${LAB}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    const check = await page.evaluate((n) => window.lab.checkWriter(n), db);
    expect(check.keys).toBe(50);
    expect(check.generations).toHaveLength(1);
    expect(check.generations[0]).toBeGreaterThanOrEqual(generations);
  } finally {
    await closeAll([writer]);
  }
});

test('a full disk surfaces as StoreQuotaError and leaves the store consistent (Chromium, 4 MB quota)', async ({ baseURL }) => {
  const peer = await openPeer('chromium', `${baseURL}${LAB}`);
  try {
    await peer.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    // A real quota, enforced by the browser's storage layer, just small.
    const session = await peer.context.newCDPSession(peer.page);
    await session.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL ?? '').origin, quotaSize: 4 * 1024 * 1024 });
    const r = await peer.page.evaluate(() => window.lab.storeUntilQuota());
    expect(r.error).toMatch(/^StoreQuotaError/);
    expect(r.writtenBatches).toBeGreaterThan(0);
    expect(r.keysAfter).toBe(r.writtenBatches * 4); // the refused batch left nothing behind
    expect(r.readable).toBe(true);
  } finally {
    await closeAll([peer]);
  }
});
