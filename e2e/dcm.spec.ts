// Distributed counter across three separate browser instances (Chromium ×2 + Firefox) on lab/dcm.html:
// every tab increments concurrently while the sequencer's tab is closed mid-run; the survivors elect a new
// sequencer, and the final count equals the increments made, shown in every remaining tab.
import { expect, test } from '@playwright/test';
// Type-only: brings in the page's `window.dcm` declaration.
import type { DcmLab } from '../lab/dcm';
import { closeAll, openPeer as openHarnessPeer, type BrowserName, type PeerPage } from './harness';

const openPeer = (name: BrowserName, url: string, label: string): Promise<PeerPage> => openHarnessPeer(name, url, label as BrowserName);
type _Lab = DcmLab; // keep the type import (declares window.dcm)

test('three browsers count every increment while the sequencer tab closes mid-run', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const url = `${baseURL}/lab/dcm.html`;
  const room = `dcm-${Date.now()}`;
  const peers = await Promise.all([openPeer('chromium', url, 'c1'), openPeer('chromium', url, 'c2'), openPeer('firefox', url, 'ff')]);
  try {
    await Promise.all(peers.map((p) => p.page.evaluate((o) => window.dcm.join(o), { room, key: 'dcm-e2e-key' })));
    // Everyone is a voting member and agrees on the sequencer.
    for (const p of peers) await p.page.waitForFunction(() => window.dcm.status()?.members.length === 3, undefined, { timeout: 30_000 });
    await peers[0]!.page.evaluate(() => window.dcm.seed());
    for (const p of peers) await p.page.waitForFunction(() => window.dcm.value() === 0, undefined, { timeout: 15_000 });
    const ids = await Promise.all(peers.map((p) => p.page.evaluate(() => window.dcm.self())));
    const sequencerId = await peers[0]!.page.evaluate(() => window.dcm.status()?.sequencer);
    const sequencer = peers[ids.indexOf(sequencerId ?? null)];
    expect(sequencer, 'a sequencer among the three tabs').toBeDefined();
    const others = peers.filter((p) => p !== sequencer);

    // Concurrent increments from every tab; the sequencer's burst is short, the others keep going.
    const running = others.map((p) => p.page.evaluate(() => window.dcm.increment(30, 40)));
    await sequencer!.page.evaluate(() => window.dcm.increment(10, 10));
    // Its increments are in the room's committed log (outbox empty): closing the tab cannot lose them.
    await sequencer!.page.waitForFunction(() => window.dcm.status()?.outbox === 0, undefined, { timeout: 15_000 });
    const midRun = await Promise.all(others.map((p) => p.page.evaluate(() => window.dcm.incrementing())));
    expect(midRun.some(Boolean), 'the others are still incrementing when the sequencer closes').toBe(true);
    await sequencer!.browser.close();
    await Promise.all(running);

    const total = 10 + 30 * others.length;
    for (const p of others) await p.page.waitForFunction((t) => window.dcm.value() === t, total, { timeout: 30_000 });
    for (const p of others) {
      expect(await p.page.evaluate(() => window.dcm.shown())).toBe(String(total));
      expect(await p.page.evaluate(() => window.dcm.errors())).toEqual([]);
      const s = await p.page.evaluate(() => window.dcm.status());
      expect(s?.sequencer).not.toBe(sequencerId);
    }
  } finally {
    await closeAll(peers);
  }
});
