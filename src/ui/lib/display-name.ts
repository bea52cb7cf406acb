// The display name a person picked, remembered in localStorage so every room and every reload greets them
// by it. Storage is injected (tests, and browsers where localStorage throws in private mode).
const KEY = 'kinetic-mesh:display-name';
export const DISPLAY_NAME_MAX = 40;

export interface NameStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Trimmed, single-line, bounded: what we store and show. Empty when nothing usable is left. */
export function cleanDisplayName(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim().slice(0, DISPLAY_NAME_MAX);
}

export function loadDisplayName(storage: NameStorage | null): string {
  try {
    return cleanDisplayName(storage?.getItem(KEY) ?? '');
  } catch {
    return ''; // Storage blocked (private mode, sandbox): the person simply types their name again.
  }
}

/** Returns false when the browser refused to store it (the name still applies to this tab). */
export function saveDisplayName(storage: NameStorage | null, name: string): boolean {
  try {
    storage?.setItem(KEY, cleanDisplayName(name));
    return storage !== null;
  } catch {
    return false;
  }
}

/** The page's localStorage, or null where touching it throws. */
export function browserStorage(): NameStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
