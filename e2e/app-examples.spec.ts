// The four examples used from three peers at once (Chromium, Firefox, Chromium — separate browser
// instances), every result checked in every peer; then a reload keeps the todo and chat history.
import { expect, test } from '@playwright/test';
import { closeAll, type PeerPage } from './harness';
import { chatTexts, expectPeers, joinAs, roomUrl, show, todoTexts } from './app-driver';

test('todo, chat (room + direct), counter and map/reduce agree across Chromium and Firefox peers', async ({ baseURL }) => {
  test.setTimeout(150_000);
  const url = roomUrl(baseURL, `examples-${Date.now()}`);
  const peers: PeerPage[] = [];
  try {
    peers.push(...(await Promise.all([joinAs('chromium', url, 'Ann'), joinAs('firefox', url, 'Bob'), joinAs('chromium', url, 'Cy')])));
    const [ann, bob, cy] = peers as [PeerPage, PeerPage, PeerPage];
    await expectPeers(peers, 2);

    // Todo: adds from two peers at once are both kept; an edit and a tick from others show everywhere.
    await Promise.all([
      ann.page.getByTestId('todo-input').fill('buy milk'),
      bob.page.getByTestId('todo-input').fill('bake bread'),
    ]);
    await Promise.all([ann.page.getByTestId('todo-input').press('Enter'), bob.page.getByTestId('todo-input').press('Enter')]);
    // Both were added at nearly the same instant; order is by creation time, so compare as sets.
    for (const p of peers) {
      await expect(todoTexts(p.page)).toHaveCount(2, { timeout: 15_000 });
      expect((await todoTexts(p.page).allInnerTexts()).sort()).toEqual(['bake bread', 'buy milk']);
    }
    const milk = cy.page.getByTestId('todo-item').filter({ hasText: 'buy milk' });
    await milk.getByTestId('todo-toggle').check();
    const bread = ann.page.getByTestId('todo-item').filter({ hasText: 'bake bread' });
    await bread.getByTestId('todo-edit').click();
    await ann.page.getByTestId('todo-edit-input').fill('bake rye bread');
    await ann.page.getByTestId('todo-edit-input').press('Enter');
    for (const p of peers) {
      await expect(p.page.getByTestId('todo-item').filter({ hasText: 'bake rye bread' })).toHaveCount(1);
      await expect(p.page.getByTestId('todo-item').filter({ hasText: 'buy milk' }).getByTestId('todo-toggle')).toBeChecked();
      await expect(p.page.getByTestId('todo-left')).toHaveText('1 item left');
    }

    // Counter: everyone presses at once; every press counts, everywhere.
    await Promise.all(peers.map((p) => show(p.page, 'counter')));
    for (const p of peers) await expect(p.page.getByTestId('counter-value')).toHaveText('0', { timeout: 15_000 });
    await Promise.all(
      peers.map(async (p, i) => {
        for (let k = 0; k < 4; k++) await p.page.getByTestId('counter-incr').click();
        if (i === 1) await p.page.getByTestId('counter-decr').click();
      }),
    );
    for (const p of peers) await expect(p.page.getByTestId('counter-value')).toHaveText('11', { timeout: 15_000 });

    // Chat: a room message reaches everyone; markup stays text.
    await Promise.all(peers.map((p) => show(p.page, 'chat')));
    await ann.page.getByTestId('chat-input').fill('<b>hello</b> room');
    await ann.page.getByTestId('chat-input').press('Enter');
    for (const p of peers) await expect(chatTexts(p.page)).toHaveText(['<b>hello</b> room']);
    await expect(bob.page.locator('.bubble b')).toHaveCount(0);

    // A direct message from Ann to Bob: Bob sees it, Cy does not (in no conversation).
    await ann.page.getByTestId('chat-person').filter({ hasText: 'Bob' }).click();
    await ann.page.getByTestId('chat-input').fill('psst, only for Bob');
    await ann.page.getByTestId('chat-input').press('Enter');
    await expect(chatTexts(ann.page)).toHaveText(['psst, only for Bob']);
    await bob.page.getByTestId('chat-person').filter({ hasText: 'Ann' }).click();
    await expect(chatTexts(bob.page)).toHaveText(['psst, only for Bob'], { timeout: 15_000 });
    await cy.page.getByTestId('chat-person').filter({ hasText: 'Ann' }).click();
    await expect(cy.page.getByTestId('chat-with')).toHaveText('Ann');
    await expect(chatTexts(cy.page)).toHaveCount(0);
    await cy.page.getByTestId('chat-room').click();
    await expect(chatTexts(cy.page)).toHaveText(['<b>hello</b> room']);

    // Map/reduce: 40 latency-bound jobs spread over the peers; every peer sees the right result.
    await Promise.all(peers.map((p) => show(p.page, 'mapreduce')));
    await ann.page.getByTestId('mr-jobs').fill('40');
    await ann.page.getByTestId('mr-cost').fill('25');
    await ann.page.getByTestId('mr-start').click();
    for (const p of peers) {
      await expect(p.page.getByTestId('mr-run')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
      await expect(p.page.getByTestId('mr-result')).toHaveText('22,140');
    }
    const counts = (await ann.page.getByTestId('mr-peer-count').allInnerTexts()).map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(counts.length).toBeGreaterThanOrEqual(2);
    await expect(ann.page.getByTestId('mr-speedup')).toHaveText(/×$/);

    // Reload Bob: the todo list and the chat history (room and direct) are still there.
    await bob.page.reload();
    await expect(bob.page.getByTestId('nav-todo')).toBeVisible({ timeout: 20_000 });
    await show(bob.page, 'todo');
    await expect(bob.page.getByTestId('todo-item')).toHaveCount(2, { timeout: 15_000 });
    await show(bob.page, 'chat');
    await expect(chatTexts(bob.page)).toHaveText(['<b>hello</b> room'], { timeout: 15_000 });
    await bob.page.getByTestId('chat-person').filter({ hasText: 'Ann' }).click();
    await expect(chatTexts(bob.page)).toHaveText(['psst, only for Bob']);

    for (const p of peers) expect(p.errors).toEqual([]);
  } finally {
    await closeAll(peers);
  }
});
