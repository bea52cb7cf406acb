// Drives the app like a person: join a room with a name, switch views, read what is on screen.
// Every peer is its own browser instance (harness.ts), so links are real WebRTC between processes.
import { expect, type Page } from '@playwright/test';
import { openPeer, type BrowserName, type PeerPage } from './harness';

export const KEY = 'e2e-app-key';

export function roomUrl(baseURL: string | undefined, room: string, view = 'todo'): string {
  return `${baseURL ?? ''}/#${new URLSearchParams({ room, key: KEY, view }).toString()}`;
}

/** Open the room link in a fresh browser and join as `name` (the landing page asks for a name first). */
export async function joinAs(browser: BrowserName, url: string, name: string): Promise<PeerPage> {
  const peer = await openPeer(browser, url, name as BrowserName);
  await enterName(peer.page, name);
  return peer;
}

export async function enterName(page: Page, name: string): Promise<void> {
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('join-room').click();
  await expect(page.getByTestId('status')).toBeVisible();
  await expect(page.getByTestId('nav-todo')).toBeVisible({ timeout: 20_000 });
}

export async function show(page: Page, view: 'todo' | 'chat' | 'counter' | 'mapreduce' | 'peers' | 'tokens' | 'reactors' | 'activity'): Promise<void> {
  await page.getByTestId(`nav-${view}`).click();
}

/** Wait until every page sees `n` other peers. */
export async function expectPeers(peers: readonly PeerPage[], n: number, timeout = 20_000): Promise<void> {
  await Promise.all(peers.map((p) => expect(p.page.getByTestId('peer-count')).toHaveAttribute('data-count', String(n), { timeout })));
}

export const todoTexts = (page: Page) => page.getByTestId('todo-text');
export const chatTexts = (page: Page) => page.getByTestId('chat-text');
