// Outgoing protocol messages, coalesced per peer until the current turn is over: what one peer sends
// another in one burst — an emit with the claim and commit that consume it, a sequencer's append with the
// claim and commit results — travels as one transport message. Fewer frames on the relay and the data
// channel, one validation pass each, and the receiver handles the whole burst before it answers, so its
// own answer is one message too. Per-peer order is kept (a batch is sent in queue order).
import type { PeerId } from '../core/ids';
import type { ProtocolFaults } from './context';
import { PROTOCOL_VERSION, type Message } from './messages';
import { MessageEncoder } from './wire-encode';

/** Messages per batch: a burst beyond it leaves as several batches, in order. */
const MAX_BATCH = 512;

export class Outgoing {
  readonly #queues = new Map<PeerId, Message[]>();
  readonly #send: (to: PeerId, message: unknown) => boolean;
  readonly #defer: (fn: () => void) => void;
  /** The transport takes JSON text (Transport.sendEncoded): each message is encoded once per flush. */
  readonly #sendEncoded: ((to: PeerId, json: string) => boolean) | undefined;
  readonly #encoder: MessageEncoder;
  #scheduled = false;
  /** Peers whose next messages leave first (hurry), until some leave for them. */
  readonly #hurried = new Set<PeerId>();
  /** Run at the start of this turn's flush, before anything is encoded (they may send more). */
  #beforeFlush: (() => void)[] = [];

  constructor(send: (to: PeerId, message: unknown) => boolean, defer: (fn: () => void) => void, sendEncoded?: (to: PeerId, json: string) => boolean, faults: ProtocolFaults = {}) {
    this.#encoder = new MessageEncoder(faults);
    this.#send = send;
    this.#defer = defer;
    this.#sendEncoded = sendEncoded;
  }

  send(to: PeerId, message: Message): void {
    let q = this.#queues.get(to);
    if (!q) this.#queues.set(to, (q = []));
    q.push(message);
    this.#schedule();
  }

  /**
   * This turn's messages to `to` leave before the others': a peer waits on them (a holder for the append that
   * carries its commit). Each message to a peer is a write, and the relay wakes the receivers in the order the
   * writes reach it; on a busy machine the second receiver woke a scheduling slice later.
   */
  hurry(to: PeerId): void {
    this.#hurried.add(to);
  }

  /** The last message queued for `to` in this turn, not sent yet (undefined: none). */
  last(to: PeerId): Message | undefined {
    const q = this.#queues.get(to);
    return q === undefined ? undefined : q[q.length - 1];
  }

  /** Put `message` in the place of `queued`, still waiting here for `to`; false when it is not (sent already). */
  replace(to: PeerId, queued: Message, message: Message): boolean {
    const q = this.#queues.get(to);
    if (!q) return false;
    // From the end: the queued message is usually one of the last few.
    for (let i = q.length - 1; i >= 0; i--) {
      if (q[i] !== queued) continue;
      q[i] = message;
      return true;
    }
    return false;
  }

  /**
   * Run `fn` when this turn's messages are about to leave (a flush is scheduled if none is): what to send
   * can then depend on everything the turn received — a claim's result is left out when its commit came in
   * the same burst (sequencer.ts).
   */
  beforeFlush(fn: () => void): void {
    this.#beforeFlush.push(fn);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(() => this.flush());
  }

  /** Send everything queued now (the deferred flush, or before a goodbye that must come last). */
  flush(): void {
    // Until none is left: a hook that asks for another (none does now) still runs before this flush sends.
    while (this.#beforeFlush.length > 0) {
      const hooks = this.#beforeFlush;
      this.#beforeFlush = [];
      for (const fn of hooks) fn();
    }
    this.#scheduled = false;
    const queues = [...this.#queues];
    this.#queues.clear();
    if (this.#hurried.size > 0) {
      const hurried = this.#hurried;
      queues.sort((a, b) => Number(hurried.has(b[0])) - Number(hurried.has(a[0])));
      // A hurry holds until something leaves for that peer: the append it was meant for may be queued by a
      // later callback of this turn (the sequencer's flush), after a flush of what was queued before it.
      for (const [to] of queues) hurried.delete(to);
    }
    // The same message object queued for several peers (a fan-out) is encoded once.
    const texts = this.#sendEncoded ? new Map<Message, string>() : null;
    for (const [to, q] of queues) {
      for (let i = 0; i < q.length; i += MAX_BATCH) {
        const part = q.slice(i, i + MAX_BATCH);
        if (!texts || !this.#sendText(to, part, texts)) this.#send(to, part.length === 1 ? part[0] : { v: PROTOCOL_VERSION, type: 'batch', messages: part });
      }
    }
  }

  /** Send as text; false when a message cannot be encoded (the value path then reports why, as a link does). */
  #sendText(to: PeerId, part: readonly Message[], texts: Map<Message, string>): boolean {
    const enc = this.#encoder;
    const out = new Array<string>(part.length);
    try {
      for (let k = 0; k < part.length; k++) {
        const m = part[k] as Message;
        let t = texts.get(m);
        if (t === undefined) texts.set(m, (t = enc.encode(m)));
        out[k] = t;
      }
    } catch {
      return false;
    }
    this.#sendEncoded?.(to, out.length === 1 ? (out[0] as string) : enc.batch(out));
    return true;
  }

  /** The peer's link is gone: what was queued for it would only go to a new link out of order. */
  drop(peer: PeerId): void {
    this.#queues.delete(peer);
  }
}
