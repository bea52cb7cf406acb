import { test, expect } from '@playwright/test';
import { openPeer, closeAll } from './harness';

for (const name of ['chromium', 'firefox'] as const) {
  test(`the app loads in ${name}`, async ({ baseURL }) => {
    const peer = await openPeer(name, `${baseURL}/`);
    try {
      await expect(peer.page.getByTestId('title')).toHaveText('Kinetic Mesh');
      expect(peer.errors).toEqual([]);
    } finally {
      await closeAll([peer]);
    }
  });
}
