// Sends this peer's outbox (emissions the room has not applied yet) to the sequencer it follows: at once when
// asked (a new leader, a durable write), otherwise at most once per resend interval. The outbox itself is
// opened from the store when the room starts; before that there is nothing to send.
import type { Clock } from '../core/clock';
import type { PeerId } from '../core/ids';
import type { LeaderInfo } from './acceptor';
import { msg, type Message } from './messages';
import type { Outbox } from './outbox';

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
}

export class OutboxSender {
  readonly #o: OutboxSenderOptions;
  #outbox: Outbox | null = null;
  #lastSend = -Infinity;

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
   * Send what is queued; without `force`, only if the last send is a resend interval ago, and only what the
   * log does not hold yet (a slow room's backlog is not resent every interval).
   */
  flush(force = false): void {
    const outbox = this.#outbox;
    const target = this.#o.leader();
    if (!outbox || !target || outbox.size === 0) return;
    const now = this.#o.clock.now();
    if (!force && now - this.#lastSend < this.#o.resendMs) return;
    this.#lastSend = now;
    const inLog = force ? undefined : this.#o.inLog;
    for (const items of outbox.batches(inLog)) this.#o.send(target.leader, msg('emit', { items }));
  }
}
