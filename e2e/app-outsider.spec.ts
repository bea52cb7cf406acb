// A wrong key that opens the room FIRST (issue 16, attack 1): before key-derived room ids it became the
// room's sequencer and the honest tabs never committed anything. Now it sits alone in its own room, is told
// its key is probably wrong, and the honest tabs (separate browser instances) add todos that reach each other.
import { expect, test } from '@playwright/test';
import { closeAll, openPeer, type PeerPage } from './harness';
// Type-only: brings in the lab page's `window.mesh` declaration.
import type { MeshLab } from '../lab/mesh';
import { expectPeers, joinAs, KEY, todoTexts } from './app-driver';

test('a wrong-key tab that arrives first stalls nobody and is told its key is wrong', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const room = `outsider-${Date.now()}`;
  const link = (key: string): string => `${baseURL ?? ''}/#${new URLSearchParams({ room, key, view: 'todo' }).toString()}`;
  const peers: PeerPage[] = [];
  try {
    const intruder = await joinAs('chromium', link('not-the-key'), 'Mallory');
    peers.push(intruder);
    // It leads its own (empty) room: the header shows it as the sequencer there, which is all it gets.
    await expect(intruder.page.getByTestId('status')).toBeVisible();
    const honest = await Promise.all([joinAs('chromium', link(KEY), 'Ann'), joinAs('firefox', link(KEY), 'Bob')]);
    peers.push(...honest);
    const [ann, bob] = honest as [PeerPage, PeerPage];
    await expectPeers(honest, 1);
    await ann.page.getByTestId('todo-input').fill('buy milk');
    await ann.page.getByTestId('todo-input').press('Enter');
    await expect(todoTexts(bob.page)).toHaveText(['buy milk'], { timeout: 20_000 });
    await expect(intruder.page.getByTestId('problem').first()).toContainText(/wrong room key/i, { timeout: 15_000 });
    await expect(todoTexts(intruder.page)).toHaveCount(0);
    await expectPeers([intruder], 0);
  } finally {
    await closeAll(peers);
  }
});

test('a key holder flooding invalid messages is cut off and shown as misbehaving in the Peers view', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const room = `flood-${Date.now()}`;
  const peers: PeerPage[] = [];
  try {
    const ann = await joinAs('chromium', `${baseURL ?? ''}/#${new URLSearchParams({ room, key: KEY, view: 'peers' }).toString()}`, 'Ann');
    peers.push(ann);
    // A modified client: the mesh lab page (the same mesh room, no distributed protocol) with the right key.
    const rogue = await openPeer('chromium', `${baseURL ?? ''}/lab/mesh.html`, 'rogue' as 'chromium');
    peers.push(rogue);
    await rogue.page.evaluate((o) => window.mesh.join(o), { room, key: KEY, name: 'Rogue', links: ['ws-relay' as const] });
    await rogue.page.waitForFunction(() => window.mesh.peers().length === 1, undefined, { timeout: 20_000 });
    await expectPeers([ann], 1);
    const annId = await rogue.page.evaluate(() => window.mesh.peers()[0] as string);
    await rogue.page.evaluate((to) => {
      for (let i = 0; i < 80; i++) window.mesh.send(to, { v: 1, type: 'append', epoch: 'garbage', i });
    }, annId);
    const rogueId = await rogue.page.evaluate(() => window.mesh.self() as string);
    await expect(ann.page.locator(`[data-testid="peer"][data-peer="${rogueId}"]`)).toHaveAttribute('data-state', 'misbehaving', { timeout: 20_000 });
    await expectPeers([ann], 0);
    await expect(ann.page.getByTestId('problem')).toHaveCount(0); // not reported as a wrong room key
  } finally {
    await closeAll(peers);
  }
});
export type { MeshLab };
