// The machine in its worker, in a real browser: restore on reload, everything back after every tab closed,
// a second tab gets its own identity and shares the room, and pool reactions run through the machine.
import { expect, test, type Page } from '@playwright/test';
import { closeAll, openPeer, type BrowserName } from './harness';
// For its `window.lab` declaration only (erased at run time).
import type {} from '../lab/workers';

const LAB = '/lab/workers.html';

const ready = (page: Page) => page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
const todos = (page: Page) => page.evaluate(() => window.lab.machineTodos());

test('reload and reopen restore the room; a second tab is another peer of it', async ({ baseURL }) => {
  const peer = await openPeer('chromium', `${baseURL}${LAB}`);
  const room = `persist-${Date.now()}`;
  try {
    const { page, context } = peer;
    await ready(page);
    const first = await page.evaluate((r) => window.lab.machineOpen(r), room);
    expect(first.reactors).toEqual(expect.arrayContaining(['todo', 'chat', 'counter', 'mapreduce']));
    // Alone in the browser: this tab takes the Web Lock and sequences the room.
    await expect.poll(() => page.evaluate(() => window.lab.machineView()?.isSequencer)).toBe(true);
    await page.evaluate(() => window.lab.machineAddTodo('alpha'));
    await page.evaluate(() => window.lab.machineAddTodo('beta'));
    await expect.poll(() => todos(page)).toEqual(['alpha', 'beta']);

    // Reload: same peer (sessionStorage + free identity lock), state restored before rejoining.
    await page.reload();
    await ready(page);
    const reloaded = await page.evaluate((r) => window.lab.machineOpen(r), room);
    expect(reloaded.self).toBe(first.self);
    await expect.poll(() => todos(page)).toEqual(['alpha', 'beta']);

    // A second tab of the same browser: another identity, the same room, sees and adds todos.
    const second = await context.newPage();
    await second.goto(`${baseURL}${LAB}`);
    await ready(second);
    const other = await second.evaluate((r) => window.lab.machineOpen(r), room);
    expect(other.self).not.toBe(first.self);
    await expect.poll(() => todos(second), { timeout: 15_000 }).toEqual(['alpha', 'beta']);
    await second.evaluate(() => window.lab.machineAddTodo('gamma'));
    await expect.poll(() => todos(page), { timeout: 15_000 }).toEqual(['alpha', 'beta', 'gamma']);

    // Close every tab, open the room again: everything is back.
    await page.close();
    await second.close();
    const again = await context.newPage();
    await again.goto(`${baseURL}${LAB}`);
    await ready(again);
    const reopened = await again.evaluate((r) => window.lab.machineOpen(r), room);
    expect([first.self, other.self]).toContain(reopened.self);
    await expect.poll(() => todos(again), { timeout: 15_000 }).toEqual(['alpha', 'beta', 'gamma']);
    expect(peer.errors).toEqual([]);
  } finally {
    await closeAll([peer]);
  }
});

for (const name of ['chromium', 'firefox'] as BrowserName[]) {
  test(`pool reactions run through the machine worker (${name})`, async ({ baseURL }) => {
    const peer = await openPeer(name, `${baseURL}${LAB}`);
    try {
      await ready(peer.page);
      await peer.page.evaluate((r) => window.lab.machineOpen(r), `pool-${Date.now()}`);
      await expect.poll(() => peer.page.evaluate(() => window.lab.machineView()?.isSequencer)).toBe(true);
      const r = await peer.page.evaluate(() => window.lab.machineMapReduce(12, 20));
      expect(r.sum).toBe((12 * 13 * 25) / 6);
      await peer.page.evaluate(() => window.lab.machineClose());
      expect(peer.errors).toEqual([]);
    } finally {
      await closeAll([peer]);
    }
  });
}
