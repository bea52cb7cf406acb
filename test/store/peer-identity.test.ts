import { describe, expect, it } from 'vitest';
import { asPeerId } from '../../src/core/ids';
import { createMemoryStore } from '../../src/store/memory';
import { claimPeerIdentity, type ClaimIdentityOptions } from '../../src/store/peer-identity';
import { createProcessLocks } from './locks';

let ids = 0;
const options = (over: Partial<ClaimIdentityOptions>): ClaimIdentityOptions => ({
  store: createMemoryStore(),
  scope: 'room-db',
  locks: createProcessLocks(),
  newId: () => asPeerId(`peer${++ids}`),
  now: () => ids,
  ...over,
});

describe('peer identity', () => {
  it('creates an identity once and gives it back after release (reload, or every tab closed)', async () => {
    const base = options({});
    const first = await claimPeerIdentity({ ...base, displayName: 'Ada' });
    expect(first.created).toBe(true);
    first.release();
    await Promise.resolve();
    const again = await claimPeerIdentity(base);
    expect(again.created).toBe(false);
    expect(again.record.id).toBe(first.record.id);
    expect(again.record.displayName).toBe('Ada');
  });

  it('never gives one identity to two tabs at once', async () => {
    const base = options({});
    const a = await claimPeerIdentity(base);
    const b = await claimPeerIdentity(base);
    expect(b.record.id).not.toBe(a.record.id);
    a.release();
    await Promise.resolve();
    // A third tab now takes the identity the first one left.
    const c = await claimPeerIdentity(base);
    expect(c.record.id).toBe(a.record.id);
  });

  it('prefers the id this tab had before a reload', async () => {
    const base = options({});
    const a = await claimPeerIdentity(base);
    const b = await claimPeerIdentity(base);
    a.release();
    b.release();
    await Promise.resolve();
    const again = await claimPeerIdentity({ ...base, preferred: b.record.id });
    expect(again.record.id).toBe(b.record.id);
  });
});
