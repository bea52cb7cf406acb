// Which peer this tab is in a room, kept in the room database so a reload (or reopening the room after
// every tab closed) comes back as the same peer with its local molecules, reactors and name. Each identity
// is held by a Web Lock while a tab uses it: two tabs of one browser never share an identity (they would
// fight over the same local state and the same seat in the room), and a closed tab's identity is free for
// the next tab at once, because the browser releases a dead tab's locks.
import { asPeerId, type PeerId } from '../core/ids';
import { logger } from '../core/log';
import type { Store } from './store';

const log = logger('kinetic:store:identity');

/** What the room database remembers about one local peer. */
export interface PeerRecord {
  readonly id: PeerId;
  readonly displayName: string;
  /** Names of the reactors this peer had loaded, in load order. */
  readonly reactors: readonly string[];
  readonly createdAt: number;
  readonly lastOpenedAt: number;
}

export interface ClaimedIdentity {
  readonly record: PeerRecord;
  /** true when no stored identity was free and this one was just created. */
  readonly created: boolean;
  /** Let the identity go (the tab is closing its room). */
  release(): void;
}

export interface ClaimIdentityOptions {
  readonly store: Store;
  /** Scopes the lock names, e.g. the room's database name (locks are per origin). */
  readonly scope: string;
  /** `navigator.locks`; null where Web Locks are missing (then tabs may share an identity). */
  readonly locks: LockManager | null;
  /** Tried first: the id this tab used before a reload (from sessionStorage). */
  readonly preferred?: PeerId | null;
  readonly newId: () => PeerId;
  readonly now: () => number;
  readonly displayName?: string;
}

export const peerRecordKey = (id: PeerId): string => `peers/${id}/record`;
/** Everything of one local peer lives under this prefix (its local log, its dcm replica). */
export const peerPrefix = (id: PeerId): string => `peers/${id}/`;

/** Claim a free stored identity (the preferred one first, then the most recently used) or create one. */
export async function claimPeerIdentity(options: ClaimIdentityOptions): Promise<ClaimedIdentity> {
  const { store, locks, now } = options;
  const records = (await store.range<PeerRecord>('peers/'))
    .filter(([k]) => k.endsWith('/record'))
    .map(([, r]) => r)
    .sort((a, b) => b.lastOpenedAt - a.lastOpenedAt);
  const preferred = records.find((r) => r.id === options.preferred);
  const order = preferred ? [preferred, ...records.filter((r) => r !== preferred)] : records;

  for (const record of order) {
    const release = await tryLock(locks, lockName(options.scope, record.id));
    if (release) {
      const opened = { ...record, lastOpenedAt: now(), ...(options.displayName ? { displayName: options.displayName } : {}) };
      await store.save(peerRecordKey(record.id), opened);
      return { record: opened, created: false, release };
    }
  }
  const id = options.newId();
  const release = await tryLock(locks, lockName(options.scope, id));
  if (!release) throw new Error(`fresh peer id ${id} is locked by another tab`);
  const record: PeerRecord = { id: asPeerId(id), displayName: options.displayName ?? '', reactors: [], createdAt: now(), lastOpenedAt: now() };
  await store.save(peerRecordKey(id), record);
  return { record, created: true, release };
}

const lockName = (scope: string, id: PeerId): string => `kinetic-mesh/${scope}/peer/${id}`;

/**
 * Take the lock if nobody holds it and keep it until release() (resolves null when it is taken).
 * Without Web Locks every identity counts as free: correct for one tab, and logged.
 */
async function tryLock(locks: LockManager | null, name: string): Promise<(() => void) | null> {
  if (!locks) {
    log('no Web Locks: every stored identity counts as free (right for one process per store, as in Node; tabs of a browser without them may share a peer identity)');
    return () => undefined;
  }
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        // Holding the lock = this callback's promise staying pending until release.
        return new Promise<void>((done) => resolve(done));
      })
      .catch(reject);
  });
}
