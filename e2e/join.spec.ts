// joinRoom in real browsers: two separate browser instances join one room link with one call, share the
// example counter (every increment applied once), link directly over WebRTC, and a reload comes back as the
// same peer with the room's count.
import { expect, test } from '@playwright/test';
import { closeAll, openPeer, type PeerPage } from './harness';

type JoinApi = { join(name: string): Promise<string>; incr(n: number): void; read(): Promise<number>; members(): string[]; links(): string[] };
const api = (p: PeerPage) => ({
  join: (name: string) => p.page.evaluate((n) => (window as unknown as { join: JoinApi }).join.join(n), name),
  incr: (n: number) => p.page.evaluate((k) => (window as unknown as { join: JoinApi }).join.incr(k), n),
  read: () => p.page.evaluate(() => (window as unknown as { join: JoinApi }).join.read().catch(() => -1)),
  members: () => p.page.evaluate(() => (window as unknown as { join: JoinApi }).join.members()),
  links: () => p.page.evaluate(() => (window as unknown as { join: JoinApi }).join.links()),
});

async function readUntil(p: PeerPage, want: number): Promise<number> {
  let value = -1;
  for (let i = 0; i < 40 && value !== want; i++) value = await api(p).read();
  return value;
}

test('two browsers share a counter through joinRoom; a reload resumes', async ({ baseURL }) => {
  const url = `${baseURL}/lab/join.html#room=join-e2e-${Date.now()}&key=e2e-secret`;
  const peers = [await openPeer('chromium', url), await openPeer('firefox', url)];
  try {
    const [a, b] = peers as [PeerPage, PeerPage];
    const ida = await api(a).join('Ada');
    await api(b).join('Bob');
    await expect.poll(() => api(a).members(), { timeout: 15_000 }).toEqual(['Ada', 'Bob']);
    await expect.poll(() => api(a).links(), { timeout: 15_000 }).toEqual(['webrtc']);
    await api(a).incr(3);
    await api(b).incr(4);
    expect(await readUntil(a, 7)).toBe(7);
    expect(await readUntil(b, 7)).toBe(7);

    await a.page.reload();
    expect(await api(a).join('Ada')).toBe(ida);
    expect(await readUntil(a, 7)).toBe(7);
    expect(peers.flatMap((p) => p.errors)).toEqual([]);
  } finally {
    await closeAll(peers);
  }
});
