// A local blocking call waiting in the soup: the caller's Promise plus the exactly-once reply rule.
import type { Clock, TimerHandle } from './clock';
import { TimeoutError } from './errors';
import type { Call } from './molecule';

const Pending = 0;
const Settled = 1;

export class PendingCall implements Call<unknown, unknown> {
  #state = Pending;
  #timer: TimerHandle | undefined;
  #clock: Clock | undefined;
  readonly promise: Promise<unknown>;
  #resolve!: (value: unknown) => void;
  #reject!: (error: Error) => void;

  constructor(
    readonly value: unknown,
    readonly molecule: string,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Not yet answered, failed or timed out. */
  get pending(): boolean {
    return this.#state === Pending;
  }

  reply(result: unknown): boolean {
    if (this.#state !== Pending) return false;
    this.#settle();
    this.#resolve(result);
    return true;
  }

  /** Reject the caller (no reply, reactor unloaded); false if it was already settled. */
  fail(error: Error): boolean {
    if (this.#state !== Pending) return false;
    this.#settle();
    this.#reject(error);
    return true;
  }

  /** Arm the caller-side timeout; `onExpire` removes the call from the soup if nobody consumed it yet. */
  arm(clock: Clock, timeoutMs: number, onExpire: (call: PendingCall) => void): void {
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.fail(new TimeoutError(this.molecule, timeoutMs))) onExpire(this);
    }, timeoutMs);
    this.#clock = clock;
  }

  #settle(): void {
    this.#state = Settled;
    if (this.#timer !== undefined) this.#clock?.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
