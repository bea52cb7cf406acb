// A blocking call's answer, bounded in time: rejects with TimeoutError when `timeoutMs` passes first (on the
// injected clock), and clears its timer whichever way the call ends.
import type { Clock } from './clock';
import { TimeoutError } from './errors';

export function withTimeout<T>(call: Promise<T>, molecule: string, timeoutMs: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new TimeoutError(molecule, timeoutMs)), timeoutMs);
    call.then(
      (v) => {
        clock.clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
