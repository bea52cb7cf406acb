// The room flow: create a room from the landing page, the link in the address bar and behind "Copy link",
// the name remembered across a reload, a bad or missing link refused in plain words, and Enter in the name field
// creating the room.
import { expect, test } from '@playwright/test';
import { closeAll, openPeer, type PeerPage } from './harness';

test('create a room, share its link, come back by name; a bad link is explained', async ({ baseURL }) => {
  const peers: PeerPage[] = [];
  try {
    const peer = await openPeer('chromium', `${baseURL}/`);
    peers.push(peer);
    const { page } = peer;

    await page.getByTestId('name-input').fill('Grace');
    await page.getByTestId('join-room').click();
    await expect(page.getByRole('alert')).toContainText('Paste a room link first');
    await page.getByTestId('link-input').fill('https://example.org/nothing-here');
    await page.getByTestId('join-room').click();
    await expect(page.getByRole('alert')).toContainText('does not look like a room link');

    // Enter in the name field with no link pasted creates a room (the card's main action).
    await page.getByTestId('link-input').fill('');
    await page.getByTestId('name-input').press('Enter');
    await expect(page.getByTestId('status')).toBeVisible();
    const url = new URL(page.url());
    const params = new URLSearchParams(url.hash.slice(1));
    expect(params.get('room')).toMatch(/^[a-z]+-[a-z]+-[a-km-np-z2-9]{8}$/);
    expect(params.get('key')?.length).toBeGreaterThanOrEqual(16);
    await expect(page.getByTestId('room-name')).toHaveText(params.get('room') ?? '');
    const shared = new URL((await page.getByTestId('copy-link').getAttribute('data-url')) ?? '');
    expect(new URLSearchParams(shared.hash.slice(1)).get('key')).toBe(params.get('key'));
    expect(shared.hash).not.toContain('view=');

    await page.reload();
    await expect(page.getByTestId('display-name')).toContainText('Grace', { timeout: 20_000 });
    await expect(page.getByTestId('todo-input')).toBeEnabled({ timeout: 20_000 });
    expect(peer.errors).toEqual([]);
  } finally {
    await closeAll(peers);
  }
});
