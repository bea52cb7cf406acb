// The browser/Node client of the signaling server: joins one room (by hash), reports who is there, relays
// signals and data, and implements the LeaseClient the server-lease elector uses. It reconnects with backoff
// and re-registers on its own, so a server restart costs nothing but a moment of "offline" — existing
// peer-to-peer links never depend on it.
import type { Clock, Random, TimerHandle } from '../core/clock';
import { systemClock, systemRandom } from '../core/clock';
import { Emitter } from '../core/emitter';
import { asEpoch, asPeerId, type PeerId } from '../core/ids';
import { logger } from '../core/log';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { deferred, type Deferred } from './deferred';
import type { LeaseClient, LeaseState } from './lease';
import type { RoomRecordClient, RoomRecordView } from './room-record';
import { ErrorCode, encodeClientFrame, encodeRawRelay, parseRawRelay, parseServerFrame, RAW_RELAY_TAG, type ClientFrameBody, type PeerLeftReason, type ServerFrame } from '../protocol/signaling';
import { corkForTick } from '../protocol/cork';

const log = logger('kinetic:mesh:signaling');

/** The part of the WebSocket API used here; the browser's and `ws`'s both fit. */

export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

/** An error frame from the server (rate limit, duplicate peer id, room full, …). */
export class SignalingRejection extends Error {
  override readonly name = 'SignalingRejection';
  constructor(
    readonly code: string,
    message: string,
    readonly ref: string | undefined,
  ) {
    super(message);
  }
}

export interface SignalingEvents {
  /** (Re)joined the room; `peers` is everyone else there now. */
  online: { peers: PeerId[] };
  offline: { reason: string };
  /** A connection attempt failed before joining (server down or unreachable); retrying with backoff. */
  unreachable: { attempts: number };
  'peer-joined': { peerId: PeerId };
  'peer-left': { peerId: PeerId; reason: PeerLeftReason };
  signal: { from: PeerId; payload: string };
  /** Whether another room with this room's name tag but a different key is open on the server. */
  namesakes: { present: boolean };
  relay: { from: PeerId; data: string };
  /** The server's record of the room (on every join, and when its history changes). */
  record: RoomRecordView;
  rejected: SignalingRejection;
  error: Error;
  [key: string]: unknown;
}

export interface SignalingClientOptions {
  /** ws(s)://host:port/signal */
  readonly url: string;
  /** The room's server id: key-derived for keyed rooms (deriveRoomSecrets), else roomHash(name). */
  readonly room: string;
  /** Keyed rooms: the admission proof (room-crypto deriveRoomSecrets) and the name tag. */
  readonly proof?: string;
  readonly tag?: string;
  readonly peerId: PeerId;
  /** Random per page load; lets a reconnect replace its own stale socket. */
  readonly instance?: string;
  /** Browser: omitted (global WebSocket). Node: `(u) => new WebSocket(u)` from `ws`. */
  readonly webSocket?: WebSocketFactory;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly backoff?: BackoffOptions;
  /** App-level ping, so a silently dead server is noticed (browsers cannot see WebSocket pings). */
  readonly pingIntervalMs?: number;
  readonly deadAfterMs?: number;
}

export class SignalingClient implements LeaseClient, RoomRecordClient {
  readonly peerId: PeerId;
  readonly instance: string;
  readonly #events = new Emitter<SignalingEvents>();
  readonly #leaseListeners = new Set<(s: LeaseState) => void>();
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  readonly #factory: WebSocketFactory;
  #ws: WebSocketLike | null = null;
  #joined = false;
  /** The server takes relay frames raw (its joined said so). */
  #rawRelay = false;
  #closed = true;
  #peers = new Set<PeerId>();
  #retry: TimerHandle | null = null;
  #ping: TimerHandle | null = null;
  #lastHeard = 0;
  #firstJoin: Deferred<void> | null = null;
  #record: RoomRecordView | null = null;
  /** The history this peer holds, re-told after every join. */
  #history: { genesis: string; started: boolean } | null = null;

  constructor(private readonly opts: SignalingClientOptions) {
    this.peerId = opts.peerId;
    const random = opts.random ?? systemRandom;
    this.instance = opts.instance ?? Math.floor(random.next() * 2 ** 52).toString(36);
    this.#clock = opts.clock ?? systemClock;
    this.#backoff = new Backoff(random, opts.backoff ?? DEFAULT_BACKOFF);
    this.#factory = opts.webSocket ?? ((u) => new WebSocket(u) as unknown as WebSocketLike);
  }

  on<K extends keyof SignalingEvents>(event: K, listener: (p: SignalingEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  get online(): boolean {
    return this.#joined;
  }

  /** Everyone else in the room, as the server last said. */
  peers(): PeerId[] {
    return [...this.#peers];
  }

  /** Connect and join; resolves on the first `joined`, rejects if the server refuses the join. Retries on its own. */
  connect(): Promise<void> {
    if (!this.#closed) return this.#joined || !this.#firstJoin ? Promise.resolve() : this.#firstJoin.promise;
    this.#closed = false;
    this.#firstJoin = deferred();
    this.#open();
    return this.#firstJoin.promise;
  }

  /** Leave cleanly (hands the lease on at once) and stop reconnecting. */
  close(): Promise<void> {
    this.#closed = true;
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      if (this.#joined) this.#send(ws, { type: 'leave' });
      detach(ws);
      ws.close(1000, 'leave');
    }
    this.#setOffline('closed');
    const pending = this.#firstJoin;
    this.#firstJoin = null;
    pending?.reject(new Error('signaling client closed before joining'));
    return Promise.resolve();
  }

  signal(to: PeerId, payload: string): boolean {
    return this.#sendJoined({ type: 'signal', to, payload });
  }

  relay(to: PeerId, data: string): boolean {
    const ws = this.#ws;
    if (!this.#rawRelay || !ws || !this.#joined) return this.#sendJoined({ type: 'relay', to, data });
    return this.#sendText(ws, encodeRawRelay(to, data));
  }

  requestLease(minEpoch: number): void {
    this.#sendJoined({ type: 'lease-request', minEpoch: Math.max(0, Math.floor(minEpoch)) });
  }

  releaseLease(): void {
    this.#sendJoined({ type: 'lease-release' });
  }

  onLease(listener: (state: LeaseState) => void): () => void {
    this.#leaseListeners.add(listener);
    return () => this.#leaseListeners.delete(listener);
  }

  get record(): RoomRecordView | null {
    return this.#record;
  }

  onRecord(listener: (record: RoomRecordView) => void): () => void {
    return this.#events.on('record', listener);
  }

  reportHistory(genesis: string, started: boolean): void {
    if (this.#history?.genesis === genesis && this.#history.started === started) return;
    this.#history = { genesis, started };
    this.#tellHistory();
  }

  #tellHistory(): void {
    const h = this.#history;
    if (h) this.#sendJoined({ type: 'history', genesis: h.genesis, ...(h.started ? { started: true as const } : {}) });
  }

  #sendJoined(frame: ClientFrameBody): boolean {
    const ws = this.#ws;
    if (!ws || !this.#joined) return false;
    return this.#send(ws, frame);
  }

  #send(ws: WebSocketLike, frame: ClientFrameBody): boolean {
    return this.#sendText(ws, encodeClientFrame(frame));
  }

  #sendText(ws: WebSocketLike, text: string): boolean {
    if (ws.readyState !== 1) return false;
    try {
      corkForTick(ws);
      ws.send(text);
      return true;
    } catch (err) {
      this.#events.emit('error', err instanceof Error ? err : new Error(String(err)));
      return false;
    }
  }

  #open(): void {
    let ws: WebSocketLike;
    try {
      ws = this.#factory(withRoom(this.opts.url, this.opts.room));
    } catch (err) {
      this.#events.emit('error', err instanceof Error ? err : new Error(String(err)));
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    this.#rawRelay = false; // until this server's joined says otherwise
    ws.onopen = () => {
      this.#lastHeard = this.#clock.now();
      const { proof, tag } = this.opts;
      this.#send(ws, { type: 'join', room: this.opts.room, peer: this.peerId, instance: this.instance, rawRelay: true, ...(proof ? { proof } : {}), ...(tag ? { tag } : {}) });
      this.#schedulePing();
    };
    ws.onmessage = (ev) => {
      this.#lastHeard = this.#clock.now();
      if (typeof ev.data === 'string' && ev.data.startsWith(RAW_RELAY_TAG)) return this.#rawRelayIn(ev.data);
      const frame = typeof ev.data === 'string' ? parseServerFrame(ev.data) : null;
      if (frame) this.#handle(frame);
      else log('dropped an invalid frame from the server');
    };
    ws.onerror = () => undefined; // the close event that follows carries what matters
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#clearTimers();
      const wasJoined = this.#joined;
      this.#setOffline(`socket closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`);
      if (!wasJoined && !this.#closed) this.#events.emit('unreachable', { attempts: this.#backoff.attempts + 1 });
      this.#scheduleRetry();
    };
  }

  /** A raw relay frame: only the sender's id is read here; the data is the link's to check. */
  #rawRelayIn(text: string): void {
    const r = parseRawRelay(text);
    if (r) this.#events.emit('relay', { from: asPeerId(r.peer), data: r.data });
    else log('dropped an invalid raw relay frame from the server');
  }

  #handle(f: ServerFrame): void {
    switch (f.type) {
      case 'joined':
        this.#joined = true;
        this.#rawRelay = f.rawRelay === true;
        this.#backoff.reset();
        this.#peers = new Set(f.peers.map(asPeerId));
        log('joined as %s with %d peers', this.peerId, f.peers.length);
        this.#events.emit('online', { peers: [...this.#peers] });
        if (f.namesakes !== undefined) this.#events.emit('namesakes', { present: f.namesakes });
        if (f.record) {
          this.#record = f.record;
          this.#events.emit('record', f.record);
        }
        this.#tellHistory();
        this.#firstJoin?.resolve();
        this.#firstJoin = null;
        return;
      case 'history':
        // The server's record names our history now: a started one needs no re-telling as started.
        if (this.#history?.genesis === f.genesis) this.#history = { genesis: f.genesis, started: false };
        this.#record = { seen: true, genesis: f.genesis };
        return this.#events.emit('record', this.#record);
      case 'namesakes':
        return this.#events.emit('namesakes', { present: f.present });
      case 'peer-joined':
        this.#peers.add(asPeerId(f.peer));
        return this.#events.emit('peer-joined', { peerId: asPeerId(f.peer) });
      case 'peer-left':
        this.#peers.delete(asPeerId(f.peer));
        return this.#events.emit('peer-left', { peerId: asPeerId(f.peer), reason: f.reason });
      case 'signal':
        return this.#events.emit('signal', { from: asPeerId(f.from), payload: f.payload });
      case 'relay':
        return this.#events.emit('relay', { from: asPeerId(f.from), data: f.data });
      case 'lease': {
        const state: LeaseState = { holder: f.holder === null ? null : asPeerId(f.holder), epoch: asEpoch(f.epoch), ttlMs: f.ttlMs };
        for (const l of this.#leaseListeners) l(state);
        return;
      }
      case 'pong':
        return;
      case 'error': {
        const rejection = new SignalingRejection(f.code, f.message, f.ref);
        this.#events.emit('rejected', rejection);
        const pending = this.#firstJoin;
        // Too many joins from our address is not final: the server closes the socket and we retry with backoff.
        if (f.ref === 'join' && pending && f.code !== ErrorCode.TooManyConnections) {
          // A refused first join (duplicate id, room full) is final for this client: the caller decides.
          this.#firstJoin = null;
          pending.reject(rejection);
          void this.close();
        }
        return;
      }
    }
  }

  #setOffline(reason: string): void {
    if (!this.#joined) return;
    this.#joined = false;
    this.#peers.clear();
    this.#events.emit('offline', { reason });
  }

  #schedulePing(): void {
    const interval = this.opts.pingIntervalMs ?? 2000;
    const deadAfter = this.opts.deadAfterMs ?? 3 * interval;
    this.#ping = this.#clock.setTimeout(() => {
      const ws = this.#ws;
      if (!ws) return;
      if (this.#clock.now() - this.#lastHeard > deadAfter) {
        // The server went silent (frozen, network gone): drop the socket and rejoin elsewhere-in-time.
        log('server silent for %d ms; reconnecting', deadAfter);
        ws.onclose?.({ code: 4001, reason: 'server silent' });
        detach(ws);
        ws.close();
        return;
      }
      this.#send(ws, { type: 'ping', t: this.#clock.now() });
      this.#schedulePing();
    }, interval);
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    const delay = this.#backoff.next();
    log('reconnecting in %d ms', Math.round(delay));
    this.#retry = this.#clock.setTimeout(() => {
      this.#retry = null;
      if (!this.#closed) this.#open();
    }, delay);
  }

  #clearTimers(): void {
    if (this.#retry) this.#clock.clearTimeout(this.#retry);
    if (this.#ping) this.#clock.clearTimeout(this.#ping);
    this.#retry = this.#ping = null;
  }
}

function detach(ws: WebSocketLike): void {
  ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
}

/** The room id in the WebSocket URL too (`?room=`), so a proxy in front of several servers can route by room. */
function withRoom(url: string, room: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}room=${encodeURIComponent(room)}`;
}
