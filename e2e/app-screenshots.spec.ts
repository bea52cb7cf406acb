// Screenshots of every view at desktop (1280×800) and phone (390×844) width, with a second peer in the
// room so the panels show a real mesh. Written to docs/screenshots/ (the README shows the desktop ones).
import { expect, test, type Page } from '@playwright/test';
import { closeAll, openPeer, type PeerPage } from './harness';
import { expectPeers, joinAs, roomUrl, show } from './app-driver';

const DIR = 'docs/screenshots';
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const VIEWS = ['todo', 'chat', 'counter', 'mapreduce', 'peers', 'tokens', 'reactors', 'activity'] as const;

async function shoot(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150); // let layout and the virtual lists settle at the new size
    await page.screenshot({ path: `${DIR}/${name}-${size}.png` });
  }
}

test('screenshots of the landing page and every view, desktop and phone', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const peers: PeerPage[] = [];
  try {
    const landing = await openPeer('chromium', `${baseURL}/`);
    peers.push(landing);
    await expect(landing.page.getByTestId('create-room')).toBeVisible();
    await shoot(landing.page, 'landing');

    const url = roomUrl(baseURL, `amber-otter-${Date.now() % 1000}`);
    const [ada, lin] = await Promise.all([joinAs('chromium', url, 'Ada'), joinAs('firefox', url, 'Linus')]);
    peers.push(ada, lin);
    await expectPeers([ada, lin], 1);
    const page = ada.page;
    await page.setViewportSize(SIZES.desktop);

    for (const text of ['Sketch the landing page', 'Review the protocol notes', 'Order more coffee']) {
      await page.getByTestId('todo-input').fill(text);
      await page.getByTestId('todo-input').press('Enter');
    }
    await expect(page.getByTestId('todo-item')).toHaveCount(3, { timeout: 15_000 });
    await page.getByTestId('todo-item').filter({ hasText: 'Order more coffee' }).getByTestId('todo-toggle').check();

    await show(lin.page, 'chat');
    await lin.page.getByTestId('chat-input').fill('Morning! The mesh is up on my side.');
    await lin.page.getByTestId('chat-input').press('Enter');
    await show(page, 'chat');
    await expect(page.getByTestId('chat-text')).toHaveCount(1, { timeout: 15_000 });
    await page.getByTestId('chat-input').fill('Same here — two browsers, one soup.');
    await page.getByTestId('chat-input').press('Enter');

    await show(page, 'counter');
    for (let i = 0; i < 7; i++) await page.getByTestId('counter-incr').click();
    await expect(page.getByTestId('counter-value')).toHaveText('7', { timeout: 15_000 });

    await show(page, 'mapreduce');
    await page.getByTestId('mr-jobs').fill('60');
    await page.getByTestId('mr-cost').fill('20');
    await page.getByTestId('mr-start').click();
    await expect(page.getByTestId('mr-run')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });

    for (const view of VIEWS) {
      await page.setViewportSize(SIZES.desktop);
      await show(page, view);
      // Open one molecule name so the Tokens shot shows values, not only counts.
      if (view === 'tokens') await page.locator('[data-testid="token-group"][data-name="todo/item"]').click();
      await shoot(page, view);
    }
    // Dark mode follows the system setting.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize(SIZES.desktop);
    for (const view of ['todo', 'mapreduce'] as const) {
      await show(page, view);
      await page.screenshot({ path: `${DIR}/${view}-dark-desktop.png` });
    }
    for (const p of peers) expect(p.errors).toEqual([]);
  } finally {
    await closeAll(peers);
  }
});
