// TURN end to end: a real coturn on loopback with TURN REST auth (use-auth-secret), a kinetic-signal that
// hands out expiring credentials on /ice with `iceTransportPolicy: 'relay'`, and two browser peers that can
// therefore link only through the TURN relay. They must link over WebRTC (not the server's ws relay) and share
// the todo list; coturn's log must show the authenticated allocations.
import { expect, test } from '@playwright/test';
import { expectPeers, joinAs, roomUrl, show, todoTexts } from './app-driver';
import { closeAll, type PeerPage } from './harness';
import { startCoturn, startSignal, type Service } from './services';

const SECRET = 'e2e-turn-secret';
let turn: Service | null = null;
let signal: (Service & { url: string }) | null = null;

test.beforeAll(async () => {
  turn = await startCoturn(SECRET);
  signal = await startSignal([
    '--static',
    'dist/app',
    '--turn',
    `turn:127.0.0.1:${turn.port}?transport=udp,turn:127.0.0.1:${turn.port}?transport=tcp`,
    '--turn-secret',
    SECRET,
    '--turn-ttl',
    '600',
    '--ice-transport-policy',
    'relay',
  ]);
});

test.afterAll(async () => {
  await signal?.stop();
  await turn?.stop();
});

test('two browsers forced to relay-only ICE link through coturn and share the todo list', async () => {
  const base = signal!.url;
  const ice = (await (await fetch(`${base}/ice`)).json()) as {
    iceTransportPolicy: string;
    iceServers: { username?: string }[];
  };
  expect(ice.iceTransportPolicy).toBe('relay');
  expect(ice.iceServers[0]?.username).toMatch(/^\d+:kinetic$/);
  const url = roomUrl(base, 'turn-room');
  const peers: PeerPage[] = [];
  try {
    peers.push(await joinAs('chromium', url, 'Tia'));
    peers.push(await joinAs('chromium', url, 'Uri'));
    await expectPeers(peers, 1, 30_000);
    // The link the room uses between them is WebRTC — with relay-only ICE that means through coturn.
    for (const p of peers) {
      await show(p.page, 'peers');
      await expect(
        p.page.locator('[data-testid="peer"]:not(.self) [data-testid="peer-link"]'),
      ).toHaveAttribute('data-link', 'webrtc', { timeout: 30_000 });
      await show(p.page, 'todo');
    }
    await peers[0]!.page.getByTestId('todo-input').fill('relayed by TURN');
    await peers[0]!.page.getByTestId('todo-input').press('Enter');
    await peers[1]!.page.getByTestId('todo-input').fill('and back');
    await peers[1]!.page.getByTestId('todo-input').press('Enter');
    for (const p of peers) {
      await expect(todoTexts(p.page)).toHaveCount(2, { timeout: 20_000 });
      expect((await todoTexts(p.page).allInnerTexts()).sort()).toEqual(['and back', 'relayed by TURN']);
    }
    // coturn accepted our expiring REST credentials and relayed between the two allocations.
    const log = turn!.output();
    expect(log).toMatch(/user <\d+:kinetic>/);
    expect(log).toMatch(/ALLOCATE processed, success/);
    expect(log).toMatch(/CREATE_PERMISSION processed, success|CHANNEL_BIND processed, success/);
    expect(peers.flatMap((p) => p.errors)).toEqual([]);
  } finally {
    await closeAll(peers);
  }
});
