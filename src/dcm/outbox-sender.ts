// Sends this peer's outbox (emissions the room has not applied yet) to the sequencer it follows: at once when
// asked (a new leader, a durable write), otherwise at most once per resend interval. The outbox itself is
// opened from the store when the room starts; before that there is nothing to send.
import type { Clock } from '../core/clock';
import type { PeerId } from '../core/ids';
import type { LeaderInfo } from './acceptor';
import { msg, type Message } from './messages';
import type { Outbox } from './outbox';

/**
 * How a flush chooses what to send: `due` (the periodic resend: at most once per resend interval, what the log
 * does not hold yet of what was sent before the last periodic or forced flush), `now` (new emissions became sendable, a durable block reservation: at once, what the log
 * does not hold yet and was not sent since the last resend), `all` (a new sequencer: at once, everything still
 * queued).
 */
export type FlushMode = 'due' | 'now' | 'all';

/**
 * Emissions one flush sends at most, oldest first (the next flush sends the next ones, as the log takes them).
 * A page that emits 40,000 molecules in one loop made every flush send all of them — one per durable block
 * reservation (every 1,000), each everything queued — so the sequencer's input grew faster than it could read
 * it and the room applied none in a minute (test/attacks/burst-emitter.test.ts). 4,096 is the same as the
 * sequencer's inbound bound per sender (inbound.ts) in messages; far more than an interactive page has queued.
 */
export const MAX_SENT_PER_FLUSH = 4096;

export interface OutboxSenderOptions {
  readonly clock: Clock;
  readonly resendMs: number;
  /** Where emissions go now; null while no sequencer is known. */
  readonly leader: () => LeaderInfo | null;
  readonly send: (to: PeerId, message: Message) => void;
  /**
   * Whether the emission is in our replica's log already (its tail included): the sequencer appended it, so a
   * periodic resend would only add to its backlog. A new leader gets everything again (a forced flush), and
   * an entry a new term truncates leaves the tail, so it is resent then.
   */
  readonly inLog?: (source: string, seq: number) => boolean;
  /** Mutation test only (ProtocolFaults.skipResend): periodic flushes send nothing. */
  readonly skipResend?: boolean;
}

export class OutboxSender {
  readonly #o: OutboxSenderOptions;
  #outbox: Outbox | null = null;
  #lastSend = -Infinity;
  /**
   * The highest seq of this process's source sent so far: a `now` flush sends only what is above it. A burst of
   * 40,000 emissions lands one block reservation per 1,000, and each sent the oldest 4,096 the log did not hold
   * yet — the same ones again and again while the sequencer worked through them (test/attacks/burst-emitter.test.ts
   * relayed 6,685 bytes per emission in a CI rehearsal, its bound 5,000; now ~1,150: the emit and the append
   * back). What the log does not hold goes again with the periodic resend (oldest first) and to a new sequencer;
   * so a `now` flush does not put the periodic one off, or a steady stream of reservations would keep a lost
   * emission from ever going again.
   */
  #sentUpTo = 0;
  /**
   * `#sentUpTo` as of the last periodic or forced flush: a periodic resend sends again only what went out before
   * it, so an emission is resent only after a whole interval without reaching the log (and one never sent — no
   * sequencer known when it became sendable — goes with the next periodic flush). It used to resend whatever
   * the log did not hold yet, so the first periodic flush after a burst sent the burst again while the first
   * copies were still on their way (bench: every emission of the non-sequencer peers sent twice, 1.8 items
   * per reaction at the sequencer).
   */
  #resendUpTo = 0;

  constructor(options: OutboxSenderOptions) {
    this.#o = options;
  }

  /** The outbox, once the room has started (null before). */
  get outbox(): Outbox | null {
    return this.#outbox;
  }

  open(outbox: Outbox): void {
    this.#outbox = outbox;
  }

  /**
   * Send what is queued, at most MAX_SENT_PER_FLUSH, oldest first (see FlushMode): a periodic one only if the
   * last send is a resend interval ago, and only what the log does not hold yet (a slow room's backlog is not
   * resent every interval).
   */
  flush(mode: FlushMode = 'due'): void {
    const outbox = this.#outbox;
    const target = this.#o.leader();
    if (!outbox || !target || outbox.size === 0) return;
    const now = this.#o.clock.now();
    if (mode === 'due' && (now - this.#lastSend < this.#o.resendMs || this.#o.skipResend)) return;
    if (mode !== 'now') this.#lastSend = now;
    const inLog = mode === 'all' ? undefined : this.#o.inLog;
    const own = outbox.source;
    // Own emissions a flush leaves out: a `now` one what was sent already, a `due` one what went out since the
    // last periodic or forced flush (it may still be on its way; what was never sent goes now).
    const skipFrom = mode === 'due' ? this.#resendUpTo : 0;
    const skipTo = mode === 'now' || mode === 'due' ? this.#sentUpTo : 0;
    const skip = (source: string, seq: number): boolean => (source === own && seq > skipFrom && seq <= skipTo) || (inLog?.(source, seq) ?? false);
    for (const items of outbox.batches(skip, MAX_SENT_PER_FLUSH)) {
      for (const it of items) if (it.source === own && it.seq > this.#sentUpTo) this.#sentUpTo = it.seq;
      this.#o.send(target.leader, msg('emit', { items }));
    }
    if (mode !== 'now') this.#resendUpTo = this.#sentUpTo;
  }

  /** An emission of this process's source went out on its own (emit() sends a sendable one at once). */
  sent(seq: number): void {
    if (seq > this.#sentUpTo) this.#sentUpTo = seq;
  }
}
