// Nothing a person did may vanish: close every tab of the room, open the link again, the todos are back.
import { expect, test } from '@playwright/test';
import { closeAll, type PeerPage } from './harness';
import { chatTexts, expectPeers, joinAs, roomUrl, show, todoTexts } from './app-driver';

test('closing every tab and reopening the link brings the todos and the chat back', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const url = roomUrl(baseURL, `persist-${Date.now()}`);
  const peers: PeerPage[] = [];
  try {
    peers.push(...(await Promise.all([joinAs('chromium', url, 'Ann'), joinAs('firefox', url, 'Bob')])));
    const [ann, bob] = peers as [PeerPage, PeerPage];
    await expectPeers(peers, 1);
    for (const text of ['water the plants', 'call grandma']) {
      await ann.page.getByTestId('todo-input').fill(text);
      await ann.page.getByTestId('todo-input').press('Enter');
    }
    await expect(todoTexts(bob.page)).toHaveCount(2, { timeout: 15_000 });
    await show(bob.page, 'chat');
    await bob.page.getByTestId('chat-input').fill('see you tomorrow');
    await bob.page.getByTestId('chat-input').press('Enter');
    await expect(chatTexts(bob.page)).toHaveText(['see you tomorrow']);
    await show(ann.page, 'chat');
    await expect(chatTexts(ann.page)).toHaveText(['see you tomorrow'], { timeout: 15_000 });

    // Every tab of the room closes (the browsers keep their profiles, as a real browser does).
    await Promise.all(peers.map((p) => p.page.close({ runBeforeUnload: true })));

    // Ann opens the link again: her name is remembered, and the room's state comes back from IndexedDB.
    const again = await ann.context.newPage();
    again.on('pageerror', (e) => ann.errors.push(`reopened: ${e.message}`));
    again.on('console', (m) => m.type() === 'error' && ann.errors.push(`reopened: ${m.text()}`));
    await again.goto(roomUrl(baseURL, new URLSearchParams(url.split('#')[1]).get('room') ?? '', 'todo'));
    await expect(again.getByTestId('display-name')).toContainText('Ann', { timeout: 20_000 });
    await expect(todoTexts(again)).toHaveCount(2, { timeout: 20_000 });
    expect((await todoTexts(again).allInnerTexts()).sort()).toEqual(['call grandma', 'water the plants']);
    await show(again, 'chat');
    await expect(chatTexts(again)).toHaveText(['see you tomorrow']);

    for (const p of peers) expect(p.errors).toEqual([]);
  } finally {
    await closeAll(peers);
  }
});
