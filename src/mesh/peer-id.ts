// One peer id per tab, stable across reloads of that tab: sessionStorage is per tab and survives a reload,
// while a new tab (or a duplicated tab that got a fresh id after a duplicate was detected) gets its own.
import type { Random } from '../core/clock';
import { asPeerId, type PeerId } from '../core/ids';

/** The part of Web Storage used here (sessionStorage in a page; a Map-backed fake in tests). */
export interface IdStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = 'kinetic-mesh:peer-id';
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function randomPeerId(random: Random, length = 12): PeerId {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(random.next() * ALPHABET.length)];
  return asPeerId(s);
}

/** This tab's id: the stored one, or a new one that is stored for the next reload. */
export function tabPeerId(storage: IdStorage | null, random: Random): PeerId {
  const stored = readStorage(storage);
  if (stored && /^[a-z0-9]{6,64}$/.test(stored)) return asPeerId(stored);
  return renewTabPeerId(storage, random);
}

/** Replace the stored id (after the server reported it as a duplicate, e.g. a duplicated tab). */
export function renewTabPeerId(storage: IdStorage | null, random: Random): PeerId {
  const id = randomPeerId(random);
  try {
    storage?.setItem(KEY, id);
  } catch {
    // Storage can be disabled (privacy mode); the id then lasts only for this page load.
  }
  return id;
}

function readStorage(storage: IdStorage | null): string | null {
  try {
    return storage?.getItem(KEY) ?? null;
  } catch {
    return null;
  }
}
