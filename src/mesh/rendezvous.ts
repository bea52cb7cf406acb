// The secure meeting point over the signaling server: a peer is *admitted* only after it proved the room key
// (its sealed hello opened with ours, and names the right sender and receiver so the server cannot redirect
// it). Transports that need the server (webrtc for SDP, ws-relay for data) see only admitted peers, and every
// payload they exchange through the server is sealed. Without a key (headless tests) payloads go in clear.
import * as v from 'valibot';
import { Emitter } from '../core/emitter';
import type { PeerId } from '../core/ids';
import { logger } from '../core/log';
import { WrongRoomKeyError, type RoomCipher } from './room/crypto';
import type { SignalingClient } from './signaling-client';
import { parseJson } from '../protocol/signaling';

const log = logger('kinetic:mesh:rendezvous');

/**
 * Characters of sealed payloads one sender may have waiting to be opened (opening is async and in order per
 * sender). A sender that relays faster than we can open has the payloads past this dropped — lost frames, which
 * the room's ordering skips and the protocol resends — instead of a promise chain growing without limit; one
 * payload of any size may always wait. 16 Mi characters is 256 full relay frames: an honest sender is never near.
 */
export const MAX_OPENING_CHARS_PER_SENDER = 16 * 1024 * 1024;

const Envelope = v.object({
  k: v.picklist(['hello', 'welcome', 'sig']),
  from: v.string(),
  to: v.string(),
  d: v.optional(v.unknown()),
});

export interface RendezvousEvents {
  admitted: { peerId: PeerId };
  departed: { peerId: PeerId; reason: string };
  /** A signaling message from an admitted peer (e.g. SDP, ICE). */
  signal: { from: PeerId; data: unknown };
  /** A relayed data frame from an admitted peer. */
  relay: { from: PeerId; frame: string };
  'wrong-key': { peerId: PeerId };
  error: Error;
  [key: string]: unknown;
}

export class Rendezvous {
  readonly self: PeerId;
  readonly #events = new Emitter<RendezvousEvents>();
  readonly #admitted = new Set<PeerId>();
  readonly #greeted = new Set<PeerId>();
  /** Per-peer promise chains: sealing and opening are async, but order per pair must hold. */
  readonly #outChain = new Map<PeerId, Promise<void>>();
  readonly #inChain = new Map<PeerId, Promise<void>>();
  readonly #opening = new Map<PeerId, number>();
  /** Outbound payloads per peer still on their way through the chain (sealing is async). */
  readonly #sealing = new Map<PeerId, number>();
  /**
   * The cipher once its promise settled (undefined until then): a room without a key then passes payloads
   * on in the same turn, with no promise per frame, and a keyed one seals and opens without awaiting it again.
   */
  #cipher: RoomCipher | null | undefined = undefined;
  /** Inbound payloads dropped: not from an admitted peer, not sealed with our key, or malformed. */
  invalid = 0;
  /** Inbound payloads dropped unopened: their sender had MAX_OPENING_CHARS_PER_SENDER waiting already. */
  dropped = 0;

  constructor(
    readonly client: SignalingClient,
    /** null: no room key (payloads in clear). A promise lets the key derive while the socket connects. */
    private readonly cipher: RoomCipher | null | Promise<RoomCipher | null>,
  ) {
    this.self = client.peerId;
    if (cipher === null || !(cipher instanceof Promise)) this.#cipher = cipher;
    else cipher.then((c) => (this.#cipher = c)).catch(() => undefined); // a failed key derivation fails each payload below
    client.on('online', ({ peers }) => {
      this.#greeted.clear();
      for (const p of peers) this.#greet(p, 'hello');
    });
    client.on('peer-joined', ({ peerId }) => this.#greet(peerId, 'hello'));
    client.on('peer-left', ({ peerId, reason }) => this.#depart(peerId, `left the signaling server (${reason})`));
    client.on('offline', ({ reason }) => {
      for (const p of [...this.#admitted]) this.#depart(p, `signaling offline: ${reason}`);
    });
    client.on('signal', ({ from, payload }) => this.#inbound(from, payload, (text) => this.#onEnvelope(from, text)));
    client.on('relay', ({ from, data }) =>
      this.#inbound(from, data, (frame) => {
        if (this.#admitted.has(from)) this.#events.emit('relay', { from, frame });
        else this.invalid++;
      }),
    );
  }

  on<K extends keyof RendezvousEvents>(event: K, listener: (p: RendezvousEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  admitted(): PeerId[] {
    return [...this.#admitted];
  }

  isAdmitted(peer: PeerId): boolean {
    return this.#admitted.has(peer);
  }

  /** Send a signaling message (JSON value) to an admitted peer; sealed when the room has a key. */
  signal(to: PeerId, data: unknown): void {
    this.#outbound(to, JSON.stringify({ k: 'sig', from: this.self, to, d: data }), (p) => this.client.signal(to, p));
  }

  /** Relay a data frame through the server; false when the peer is not admitted or the server is offline. */
  relay(to: PeerId, frame: string): boolean {
    if (!this.#admitted.has(to) || !this.client.online) return false;
    this.#outbound(to, frame, (p) => this.client.relay(to, p));
    return true;
  }

  #greet(peer: PeerId, k: 'hello' | 'welcome'): void {
    if (peer === this.self) return;
    this.#greeted.add(peer);
    this.#outbound(peer, JSON.stringify({ k, from: this.self, to: peer }), (p) => this.client.signal(peer, p));
  }

  #onEnvelope(from: PeerId, text: string): void {
    const r = v.safeParse(Envelope, parseJson(text));
    if (!r.success || r.output.from !== from || r.output.to !== this.self) {
      // Sealed correctly but addressed wrongly: a replay or a redirect by the server. Not admitted.
      this.invalid++;
      log('dropped a misaddressed signal from %s', from);
      return;
    }
    const env = r.output;
    if (env.k === 'sig') {
      if (this.#admitted.has(from)) this.#events.emit('signal', { from, data: env.d });
      else this.invalid++;
      return;
    }
    // hello or welcome: the sender proved the key.
    if (env.k === 'hello' && !this.#greeted.has(from)) this.#greet(from, 'welcome');
    if (!this.#admitted.has(from)) {
      this.#admitted.add(from);
      this.#events.emit('admitted', { peerId: from });
    }
  }

  #depart(peer: PeerId, reason: string): void {
    this.#greeted.delete(peer);
    this.#outChain.delete(peer);
    this.#inChain.delete(peer);
    if (this.#admitted.delete(peer)) this.#events.emit('departed', { peerId: peer, reason });
  }

  #outbound(peer: PeerId, plaintext: string, deliver: (payload: string) => void): void {
    // Nothing to seal, and nothing of this peer's still sealing ahead of it: out at once, in order.
    if (this.#cipher === null && !this.#sealing.has(peer)) return this.#now(deliver, plaintext);
    const cipher = this.cipher;
    this.#sealing.set(peer, (this.#sealing.get(peer) ?? 0) + 1);
    const prev = this.#outChain.get(peer) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        const c = this.#cipher === undefined ? await cipher : this.#cipher;
        deliver(c ? await c.seal(plaintext) : plaintext);
      })
      .catch((e: unknown) => this.#fail(e))
      .finally(() => {
        const left = (this.#sealing.get(peer) ?? 0) - 1;
        if (left > 0) this.#sealing.set(peer, left);
        else this.#sealing.delete(peer);
      });
    this.#outChain.set(peer, next);
  }

  #inbound(from: PeerId, payload: string, accept: (plaintext: string) => void): void {
    const opening = this.#opening.get(from) ?? 0;
    // Nothing to open, and nothing of this sender's still opening ahead of it: handled at once, in order.
    if (this.#cipher === null && opening === 0) return this.#now(accept, payload);
    if (opening > 0 && opening + payload.length > MAX_OPENING_CHARS_PER_SENDER) {
      this.dropped++;
      return;
    }
    const cipher = this.cipher;
    // Counted from 1 up, so an empty payload still marks the chain busy.
    this.#opening.set(from, opening + payload.length + 1);
    const prev = this.#inChain.get(from) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        const c = this.#cipher === undefined ? await cipher : this.#cipher;
        const text = c ? await c.open(payload) : payload;
        if (text !== null) return accept(text);
        this.invalid++;
        // A peer that proved the key and now sends what does not open is misbehaving, not using a wrong key.
        if (this.#admitted.has(from)) return log('dropped an unopenable payload from admitted peer %s', from);
        this.#events.emit('wrong-key', { peerId: from });
        this.#events.emit('error', new WrongRoomKeyError(`wrong room key: peer ${from} and this peer do not share the room key; no link made`));
      })
      .catch((e: unknown) => this.#fail(e))
      .finally(() => {
        const left = (this.#opening.get(from) ?? 0) - payload.length - 1;
        if (left > 0) this.#opening.set(from, left);
        else this.#opening.delete(from);
      });
    this.#inChain.set(from, next);
  }

  /** A payload handled in this turn: whatever its handler throws is reported as the chains report it, never thrown into the socket. */
  #now(fn: (payload: string) => void, payload: string): void {
    try {
      fn(payload);
    } catch (e) {
      this.#fail(e);
    }
  }

  #fail(e: unknown): void {
    this.#events.emit('error', e instanceof Error ? e : new Error(String(e)));
  }
}
