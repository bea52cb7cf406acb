// A room's inbound work (peers' messages, link losses, the periodic tick) handled in order, in slices of at
// most `sliceMs` per turn. A process behind on its input — a burst of appends to eight replicas sharing one
// Node process, a machine with more runnable work than cores — used to handle all of it in one turn: for
// seconds no timer ran, so the sequencer's lease renewal waited behind the backlog, the lease lapsed, the
// term changed and every commit in flight was fenced. Now, once a turn has spent its slice, the rest waits
// for a later turn (`defer`) and timers run in between: the lease is renewed on time and the mesh answers
// its pings, while the protocol sees the same input in the same order, only later.
//
// Under the budget (always, under a virtual clock: processing takes no virtual time) each job runs at
// once, as before. The tick goes through the queue too (`runOnce`), so it resends and removes members
// only after reading the input already here (answers, acks) — a backlog never turns into resends.

export interface InboundOptions {
  readonly now: () => number;
  /** Run after the current turn (setImmediate in Node): a turn's slice ends there, the queue drains there. */
  readonly defer: (fn: () => void) => void;
  readonly sliceMs: number;
}

export class Inbound {
  readonly #o: InboundOptions;
  #queue: (() => void)[] = [];
  #head = 0;
  /** When this turn's first job started (null: no job ran in this turn yet). */
  #sliceStart: number | null = null;
  #draining = false;
  readonly #once = new Set<string>();

  constructor(options: InboundOptions) {
    this.#o = options;
  }

  /** Jobs waiting for a later turn. */
  get backlog(): number {
    return this.#queue.length - this.#head;
  }

  /** Run `job` now, or after everything queued before it once this turn's slice is spent. */
  run(job: () => void): void {
    if (this.backlog > 0) return void this.#queue.push(job);
    if (this.#sliceStart === null) {
      this.#sliceStart = this.#o.now();
      this.#o.defer(() => (this.#sliceStart = null));
    } else if (this.#o.now() - this.#sliceStart >= this.#o.sliceMs) {
      this.#queue.push(job);
      return this.#drainLater();
    }
    job();
  }

  /** As `run`, but a job of this key still waiting is not queued twice (the periodic tick). */
  runOnce(key: string, job: () => void): void {
    if (this.#once.has(key)) return;
    if (this.backlog === 0) return this.run(job);
    this.#once.add(key);
    this.#queue.push(() => {
      this.#once.delete(key);
      job();
    });
  }

  /** Run `fn` after the input that already arrived: after this turn, and after whatever is queued then. */
  afterInput(fn: () => void): void {
    this.#o.defer(() => (this.backlog > 0 ? void this.#queue.push(fn) : fn()));
  }

  /** Forget the queue (the room stopped). */
  clear(): void {
    this.#queue = [];
    this.#head = 0;
    this.#once.clear();
  }

  #drainLater(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#o.defer(() => this.#drain());
  }

  #drain(): void {
    this.#draining = false;
    const start = this.#o.now();
    try {
      while (this.#head < this.#queue.length) {
        const job = this.#queue[this.#head++] as () => void;
        job();
        if (this.#o.now() - start >= this.#o.sliceMs) break;
      }
    } finally {
      this.#settle();
    }
  }

  /** After a drain (or a job that threw): reset an empty queue, compact a long spent head, go on later. */
  #settle(): void {
    if (this.#head >= this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      return;
    }
    if (this.#head > 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#drainLater();
  }
}
