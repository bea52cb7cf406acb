// Map browser storage failures onto the Store port's named errors, so callers (and the UI) can branch on
// them. Anything else passes through unchanged: errors are surfaced, never swallowed.
import { StoreQuotaError } from './store';

/** Names browsers use for "out of quota" (Chromium/WebKit: QuotaExceededError; old Firefox: the NS code). */
const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);

export function isQuotaError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && QUOTA_NAMES.has((e as { name?: unknown }).name as string);
}

/** Normalise anything thrown by IndexedDB to an Error; quota failures become StoreQuotaError. */
export function toStoreError(e: unknown): Error {
  if (e instanceof StoreQuotaError) return e;
  if (isQuotaError(e)) {
    const message = (e as { message?: string }).message ?? 'storage quota exceeded';
    return new StoreQuotaError(`storage quota exceeded: ${message}`, { cause: e });
  }
  if (e instanceof Error) return e;
  if (typeof e === 'object' && e !== null && 'name' in e) {
    const { name, message } = e as { name: string; message?: string };
    const err = new Error(`${name}: ${message ?? ''}`, { cause: e });
    err.name = name;
    return err;
  }
  return new Error(String(e));
}
