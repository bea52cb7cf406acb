// A tab opened while the room is unreachable works on its own state and syncs once it is reachable: Bob
// opens the room link while his browser cannot reach the signaling server (its WebSocket is refused), adds a
// todo that waits in his persistent outbox (and shows, marked as not shared yet), then the server becomes
// reachable and both peers converge.
import { expect, test } from '@playwright/test';
import { closeAll, type PeerPage } from './harness';
import { enterName, joinAs, roomUrl, todoTexts } from './app-driver';
import { openPeer } from './harness';

test('a tab opened offline keeps its changes and delivers them when the room is reachable', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const url = roomUrl(baseURL, `offline-${Date.now()}`);
  const peers: PeerPage[] = [];
  try {
    const ann = await joinAs('chromium', url, 'Ann');
    peers.push(ann);
    await ann.page.getByTestId('todo-input').fill('from ann');
    await ann.page.getByTestId('todo-input').press('Enter');
    await expect(todoTexts(ann.page)).toHaveText(['from ann'], { timeout: 15_000 });

    // Bob's browser cannot reach the signaling server until `reachable` flips.
    let reachable = false;
    const bob = await openPeer('chromium', `${baseURL}/`);
    peers.push(bob);
    await bob.page.routeWebSocket(/\/signal(\?|$)/, (ws) => {
      if (reachable) ws.connectToServer();
      else void ws.close({ code: 4000, reason: 'unreachable (test)' });
    });
    await bob.page.goto(url);
    await enterName(bob.page, 'Bob');
    await bob.page.getByTestId('todo-input').fill('from bob, offline');
    await bob.page.getByTestId('todo-input').press('Enter');
    await expect(bob.page.getByTestId('outbox')).toBeVisible({ timeout: 15_000 });
    await expect(bob.page.getByTestId('status')).not.toHaveAttribute('data-signaling', 'connected');
    // Bob sees his own todo at once, marked as not shared yet.
    await expect(todoTexts(bob.page)).toHaveText(['from bob, offline'], { timeout: 10_000 });
    await expect(bob.page.getByTestId('todo-pending')).toHaveCount(1);
    // Nothing reached Ann.
    await ann.page.waitForTimeout(1000);
    await expect(todoTexts(ann.page)).toHaveText(['from ann']);

    // The room becomes reachable: Bob's client reconnects by itself and his outbox is delivered once.
    reachable = true;
    await expect(todoTexts(ann.page)).toHaveCount(2, { timeout: 45_000 });
    await expect(todoTexts(bob.page)).toHaveCount(2, { timeout: 20_000 });
    expect((await todoTexts(bob.page).allInnerTexts()).sort()).toEqual(['from ann', 'from bob, offline']);
    await expect(bob.page.getByTestId('outbox')).toBeHidden({ timeout: 15_000 });
    await expect(bob.page.getByTestId('todo-pending')).toHaveCount(0);
    expect(ann.errors).toEqual([]);
    // Bob's console may only report the refused signaling socket.
    expect(bob.errors.filter((e) => !/WebSocket|signal/i.test(e))).toEqual([]);
  } finally {
    await closeAll(peers);
  }
});
