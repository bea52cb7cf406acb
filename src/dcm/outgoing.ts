// Outgoing protocol messages, coalesced per peer until the current turn is over: what one peer sends
// another in one burst — an emit with the claim and commit that consume it, a sequencer's append with the
// claim and commit results — travels as one transport message. Fewer frames on the relay and the data
// channel, one validation pass each, and the receiver handles the whole burst before it answers, so its
// own answer is one message too. Per-peer order is kept (a batch is sent in queue order).
import type { PeerId } from '../core/ids';
import { PROTOCOL_VERSION, type Message } from './messages';

/** Messages per batch: a burst beyond it leaves as several batches, in order. */
const MAX_BATCH = 512;

export class Outgoing {
  readonly #queues = new Map<PeerId, Message[]>();
  readonly #send: (to: PeerId, message: unknown) => boolean;
  readonly #defer: (fn: () => void) => void;
  #scheduled = false;

  constructor(send: (to: PeerId, message: unknown) => boolean, defer: (fn: () => void) => void) {
    this.#send = send;
    this.#defer = defer;
  }

  send(to: PeerId, message: Message): void {
    let q = this.#queues.get(to);
    if (!q) this.#queues.set(to, (q = []));
    q.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(() => this.flush());
  }

  /** Send everything queued now (the deferred flush, or before a goodbye that must come last). */
  flush(): void {
    this.#scheduled = false;
    const queues = [...this.#queues];
    this.#queues.clear();
    for (const [to, q] of queues) {
      for (let i = 0; i < q.length; i += MAX_BATCH) {
        const part = q.slice(i, i + MAX_BATCH);
        this.#send(to, part.length === 1 ? part[0] : { v: PROTOCOL_VERSION, type: 'batch', messages: part });
      }
    }
  }

  /** The peer's link is gone: what was queued for it would only go to a new link out of order. */
  drop(peer: PeerId): void {
    this.#queues.delete(peer);
  }
}
