// Errors callers branch on. Programmer mistakes (unknown molecule, double load) are plain `Error`s
// with a precise message; these classes exist because callers catch them specifically.

/** A blocking call was not answered within its `timeoutMs`. A reply that arrives later reports `false`. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    /** Molecule name of the blocking call that timed out. */
    readonly molecule: string,
    /** The timeout that expired, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`blocking call "${molecule}" got no reply within ${timeoutMs} ms`);
  }
}

/**
 * The reaction that consumed a blocking molecule ended without answering it (it finished without calling
 * `reply`, it threw, or its reactor was unloaded). The caller's Promise rejects with this instead of hanging.
 */
export class NoReplyError extends Error {
  override readonly name = 'NoReplyError';
  constructor(
    readonly molecule: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Normalise anything thrown by user code into an `Error` (bodies may `throw 'text'`). */
export const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
