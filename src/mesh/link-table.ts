// The shared middle of every point-to-point adapter: which peers have a link up, framing in and out, and the
// Transport events. An adapter only discovers peers and opens channels; this does the rest.
import { Emitter } from '../core/emitter';
import type { PeerId } from '../core/ids';
import { logger } from '../core/log';
import { FrameAssembler, FramedSender, type FrameSink, type FramingOptions } from './framing';
import type { TransportEvents } from './transport';

const log = logger('kinetic:mesh:links');

interface Link {
  readonly sink: FrameSink;
  readonly sender: FramedSender;
  readonly assembler: FrameAssembler;
}

export class LinkTable {
  readonly events = new Emitter<TransportEvents>();
  readonly #links = new Map<PeerId, Link>();
  #peers: readonly PeerId[] = [];
  /** Inbound frames that were not valid (bad framing or JSON); dropped. */
  invalid = 0;
  /** Outbound messages dropped because they could not be encoded (never thrown to the sender). */
  unencodable = 0;

  constructor(private readonly framing: FramingOptions = {}) {}

  /**
   * A channel to `peer` is open: from now on send() reaches it. Replaces an older link to the same peer.
   * `framing` overrides the table's options for this channel (e.g. the size the two ends negotiated).
   */
  add(peer: PeerId, sink: FrameSink, framing: FramingOptions = this.framing): void {
    const had = this.#links.has(peer);
    this.#links.set(peer, { sink, sender: new FramedSender(sink, framing), assembler: new FrameAssembler() });
    this.#peers = [...this.#links.keys()];
    if (!had) this.events.emit('peer-connected', { peerId: peer });
  }

  /** The link is gone; emits peer-disconnected once. */
  remove(peer: PeerId, reason: string): void {
    if (!this.#links.delete(peer)) return;
    this.#peers = [...this.#links.keys()];
    this.events.emit('peer-disconnected', { peerId: peer, reason });
  }

  has(peer: PeerId): boolean {
    return this.#links.has(peer);
  }

  peers(): readonly PeerId[] {
    return this.#peers;
  }

  send(peer: PeerId, value: unknown): boolean {
    const link = this.#links.get(peer);
    // A closing channel counts as no link, so the room falls back to its next one.
    if (!link || link.sink.isOpen?.() === false) return false;
    const why = link.sender.send(value);
    return why === null || this.#unencodable(peer, why);
  }

  /** send() of a value already encoded as JSON text (Transport.sendEncoded). */
  sendEncoded(peer: PeerId, json: string): boolean {
    const link = this.#links.get(peer);
    if (!link || link.sink.isOpen?.() === false) return false;
    link.sender.sendJson(json);
    return true;
  }

  #unencodable(peer: PeerId, why: string): false {
    // Not sent: the caller sees false (like a missing link) and the reason goes to the error hook.
    this.unencodable++;
    this.fail(new Error(`a message to ${peer} was dropped: it cannot be encoded (${why})`));
    return false;
  }

  /** One inbound frame from `peer`'s channel. */
  receive(peer: PeerId, frame: unknown): void {
    const link = this.#links.get(peer);
    if (!link) return;
    const r = link.assembler.push(frame);
    if (r.kind === 'message') this.events.emit('message', { from: peer, message: r.value });
    else if (r.kind === 'invalid') {
      this.invalid++;
      log('dropped invalid frame from %s: %s', peer, r.why);
    }
  }

  fail(err: unknown): void {
    this.events.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  clear(reason: string): void {
    for (const p of [...this.#links.keys()]) this.remove(p, reason);
  }
}
