// Named histories in the app (issue 11): "Create a room" starts the room's history and the signaling server
// records it (--data); every tab closes and the server restarts; a fresh browser that opens the link does not
// fork the room — it waits, saying so, and joins the creator's history when she returns. "Start a new
// history" is an explicit act behind a confirmation, and the new history is visibly another one.
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enterName, joinAs, show, todoTexts } from './app-driver';
import { closeAll, openPeer, type BrowserName, type PeerPage } from './harness';
import { freePort, startSignal, type Service } from './services';

let signal: (Service & { url: string }) | null = null;
let dataDir = '';
let port = 0;

const start = async (): Promise<void> => {
  signal = await startSignal(['--static', 'dist/app', '--data', dataDir], port);
};

test.beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-e2e-history-'));
  port = await freePort();
  await start();
});

test.afterAll(async () => {
  await signal?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The history this page's tab holds, from the Peers view ('' while none). */
async function genesisOf(page: Page): Promise<string> {
  await show(page, 'peers');
  const chip = page.getByTestId('room-genesis');
  await expect(chip).not.toHaveAttribute('data-genesis', '', { timeout: 20_000 });
  const g = (await chip.getAttribute('data-genesis')) ?? '';
  await show(page, 'todo');
  return g;
}

test('a fresh browser opening the link waits for the room\'s history and joins it; a new history is an explicit act', async () => {
  test.setTimeout(150_000);
  const base = signal!.url;
  const shot = async (page: Page, name: string): Promise<void> => void (await page.screenshot({ path: test.info().outputPath(`${name}.png`) }));
  const peers: PeerPage[] = [];
  try {
    // Ann creates the room: her tab starts its history; she adds a todo and closes every tab.
    const ann = await openPeer('chromium', `${base}/`, 'Ann' as BrowserName);
    peers.push(ann);
    await ann.page.getByTestId('name-input').fill('Ann');
    await ann.page.getByTestId('create-room').click();
    await expect(ann.page.getByTestId('nav-todo')).toBeVisible({ timeout: 20_000 });
    const url = ann.page.url();
    const first = await genesisOf(ann.page);
    await ann.page.getByTestId('todo-input').fill('from the creator');
    await ann.page.getByTestId('todo-input').press('Enter');
    await expect(todoTexts(ann.page)).toHaveText(['from the creator']);
    await expect(ann.page.getByTestId('history-notice')).toHaveCount(0);
    await ann.page.close({ runBeforeUnload: true });

    // The server restarts with its --data folder; Bob opens the link in a fresh browser: he waits, told why.
    await signal!.stop();
    await start();
    const bob = await joinAs('chromium', url, 'Bob');
    peers.push(bob);
    const notice = bob.page.getByTestId('history-notice');
    await expect(notice).toHaveAttribute('data-kind', 'waiting', { timeout: 20_000 });
    await expect(notice).toContainText(`(${first.slice(0, 9)})`);
    await bob.page.getByTestId('history-start').click();
    await expect(bob.page.getByTestId('history-confirm')).toBeVisible();
    await shot(bob.page, 'waiting-confirm');
    await bob.page.getByTestId('history-start-cancel').click(); // he keeps waiting
    await expect(bob.page.getByTestId('history-confirm')).toHaveCount(0);

    // Ann returns: Bob joins her history (her todo arrives, the same genesis), and the notice goes away.
    const again = await ann.context.newPage();
    again.on('pageerror', (e) => ann.errors.push(`reopened: ${e.message}`));
    await again.goto(url);
    await expect(todoTexts(bob.page)).toHaveText(['from the creator'], { timeout: 30_000 });
    await expect(notice).toHaveCount(0);
    expect(await genesisOf(bob.page)).toBe(first);
    await again.close({ runBeforeUnload: true });
    await bob.page.close({ runBeforeUnload: true });

    // Nobody is online now. Cy opens the link, waits, and chooses to start a new history: a visibly other one.
    const cy = await openPeer('chromium', url, 'Cy' as BrowserName);
    peers.push(cy);
    await enterName(cy.page, 'Cy');
    await expect(cy.page.getByTestId('history-notice')).toHaveAttribute('data-kind', 'waiting', { timeout: 20_000 });
    await shot(cy.page, 'waiting');
    await cy.page.getByTestId('history-start').click();
    await cy.page.getByTestId('history-start-confirm').click();
    const second = await genesisOf(cy.page);
    expect(second).not.toBe(first);
    await expect(cy.page.getByTestId('history-notice')).toHaveCount(0);
    await show(cy.page, 'peers');
    await shot(cy.page, 'new-history');

    // Bob comes back with the first history: the two meet, and both tabs say so.
    const bobAgain = await bob.context.newPage();
    await bobAgain.goto(url);
    await expect(bobAgain.getByTestId('history-notice')).toHaveAttribute('data-kind', 'others', { timeout: 30_000 });
    await expect(cy.page.getByTestId('history-notice')).toHaveAttribute('data-kind', 'others', { timeout: 30_000 });
    await shot(cy.page, 'two-histories');
    for (const p of peers) expect(p.errors.filter((e) => !/WebSocket|signal/i.test(e))).toEqual([]);
  } finally {
    await closeAll(peers);
  }
});
