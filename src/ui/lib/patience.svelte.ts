// A condition that usually clears by itself within seconds (a first connection, a history being found) is
// told to the user only once it has held for a while: `new Patience(() => cond, ms).over` turns true after
// `cond` has held `ms` without a break, and false as soon as it clears. Create it while a component starts.
export class Patience {
  #since = $state<number | null>(null);
  #now = $state(Date.now());

  constructor(
    active: () => boolean,
    private readonly ms: number,
    tickMs = 500,
  ) {
    $effect(() => {
      if (!active()) this.#since = null;
      else if (this.#since === null) this.#since = Date.now();
    });
    $effect(() => {
      if (this.#since === null) return;
      const timer = setInterval(() => (this.#now = Date.now()), tickMs);
      return () => clearInterval(timer);
    });
  }

  get over(): boolean {
    return this.#since !== null && this.#now - this.#since >= this.ms;
  }
}
