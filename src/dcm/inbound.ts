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
//
// Bounded per sender (`message`): a peer may have at most `maxQueuedPerSender` protocol messages, and about
// `maxQueuedCharsPerSender` characters of them (approx-size.ts, sized only when a message must wait), waiting;
// past that its messages are dropped and counted, so a peer flooding faster than we can read grows our memory
// by at most that much (one message of any size may always wait: a large snapshot is not refused for its size). A drop is a lost message, which the protocol is built for (every
// request is resent until answered or superseded: docs/protocol.md "Inbound bound"); the one kind of
// message that is not resent — a peer's own state (catalog, history, leave) — is kept instead, the latest
// per kind and sender, and handled once that sender's queue has drained. Link events and the tick are never
// dropped (`run`, `runOnce`): there is one per link change or timer, not one per message a peer chooses.

import { approxSize } from './approx-size';

export interface InboundOptions {
  readonly now: () => number;
  /** Run after the current turn (setImmediate in Node): a turn's slice ends there, the queue drains there. */
  readonly defer: (fn: () => void) => void;
  readonly sliceMs: number;
  /** Protocol messages one sender may have waiting (default MAX_QUEUED_PER_SENDER). */
  readonly maxQueuedPerSender?: number;
  /** About how many characters of JSON one sender's waiting messages may hold (default MAX_QUEUED_CHARS_PER_SENDER). */
  readonly maxQueuedCharsPerSender?: number;
}

/**
 * Generous for honest traffic: a sequencer has at most 1,024 entries in flight to a replica (32 appends of 32),
 * plus claim results and one commit-index append per flush; 4,096 waiting means seconds of backlog.
 */
export const MAX_QUEUED_PER_SENDER = 4096;
/** 16 Mi characters: a few hundred appends of 32 entries, or one large snapshot. */
export const MAX_QUEUED_CHARS_PER_SENDER = 16 * 1024 * 1024;

/** What one sender has waiting: how many messages, how many were dropped since its queue was last empty. */
interface SenderQueue {
  queued: number;
  /** About how many characters its waiting messages hold (approx-size.ts). */
  chars: number;
  dropped: number;
  /** The latest dropped state message per kind (catalog, history, leave), handled once the queue drains. */
  readonly kept: Map<string, { readonly at: number; readonly job: () => void }>;
}

export class Inbound {
  readonly #o: InboundOptions;
  #queue: (() => void)[] = [];
  #head = 0;
  /** When this turn's first job started (null: no job ran in this turn yet). */
  #sliceStart: number | null = null;
  #draining = false;
  readonly #once = new Set<string>();
  readonly #senders = new Map<string, SenderQueue>();
  readonly #maxPerSender: number;
  readonly #maxCharsPerSender: number;
  #arrivals = 0;
  /** Protocol messages dropped because their sender had too many waiting (status: inboundDropped). */
  dropped = 0;

  constructor(options: InboundOptions) {
    this.#o = options;
    this.#maxPerSender = options.maxQueuedPerSender ?? MAX_QUEUED_PER_SENDER;
    this.#maxCharsPerSender = options.maxQueuedCharsPerSender ?? MAX_QUEUED_CHARS_PER_SENDER;
  }

  /** Jobs waiting for a later turn. */
  get backlog(): number {
    return this.#queue.length - this.#head;
  }

  /** Run `job` now, or after everything queued before it once this turn's slice is spent. */
  run(job: () => void): void {
    if (this.#mayRunNow()) job();
    else this.#enqueue(job);
  }

  /**
   * A protocol message from `from`: run or queue it like `run`, unless `from` already has its bound waiting;
   * then it is dropped and counted — a state message (`keep`: its kind) is kept instead, replacing the one of
   * its kind kept for `from` before. False exactly when the message was not run or queued.
   */
  message(from: string, job: () => void, raw: unknown, keep?: string): boolean {
    if (this.#mayRunNow()) {
      job();
      return true;
    }
    let q = this.#senders.get(from);
    if (!q) this.#senders.set(from, (q = { queued: 0, chars: 0, dropped: 0, kept: new Map() }));
    const at = this.#arrivals++;
    const room = this.#maxCharsPerSender - q.chars;
    const chars = q.queued >= this.#maxPerSender ? 0 : approxSize(raw, Math.max(0, room));
    if (q.queued >= this.#maxPerSender || (q.queued > 0 && chars > room)) {
      q.dropped++;
      this.dropped++;
      if (keep !== undefined) q.kept.set(keep, { at, job });
      return false;
    }
    // A newer message of a kept kind supersedes the one kept (it is handled later, in order).
    if (keep !== undefined) q.kept.delete(keep);
    q.queued++;
    q.chars += chars;
    const sender = q;
    this.#enqueue(() => {
      sender.queued--;
      sender.chars -= chars;
      try {
        job();
      } finally {
        if (sender.queued === 0) this.#settleSender(from, sender);
      }
    });
    return true;
  }

  /** Messages of `from` dropped since its queue was last empty (the room counts them toward cutting it off). */
  droppedFrom(from: string): number {
    return this.#senders.get(from)?.dropped ?? 0;
  }

  /** Protocol messages of `from` waiting. */
  queuedFrom(from: string): number {
    return this.#senders.get(from)?.queued ?? 0;
  }

  /** Nothing waits and this turn's slice is not spent (starts the turn's slice if none ran yet). */
  #mayRunNow(): boolean {
    if (this.backlog > 0) return false;
    if (this.#sliceStart === null) {
      this.#sliceStart = this.#o.now();
      this.#o.defer(() => (this.#sliceStart = null));
      return true;
    }
    return this.#o.now() - this.#sliceStart < this.#o.sliceMs;
  }

  /** Queue behind the backlog; the first job queued schedules the drain. */
  #enqueue(job: () => void): void {
    const idle = this.backlog === 0;
    this.#queue.push(job);
    if (idle) this.#drainLater();
  }

  /** `from` has nothing waiting any more: handle what was kept of it (oldest first), forget it. */
  #settleSender(from: string, q: SenderQueue): void {
    this.#senders.delete(from);
    const kept = [...q.kept.values()].sort((a, b) => a.at - b.at);
    for (const k of kept) k.job();
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
    this.#senders.clear();
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
