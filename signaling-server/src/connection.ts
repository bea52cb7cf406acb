// One client connection: validates every inbound frame, enforces the limits, and dispatches to its room.
// Nothing a client sends can throw out of here: bad input becomes an error frame to that client only.
import * as v from 'valibot';
import {
  CLIENT_FRAME_SCHEMAS,
  ClientFrame,
  ErrorCode,
  PeerLeftReason,
  encodeServerFrame,
  parseJson,
  parseRawRelayBytes,
  RAW_RELAY_TAG,
  type ServerFrameBody,
  corkForTick,
} from 'kinetic-mesh/protocol';
import { admissionProblem } from './admission';
import { TokenBucket, type Limits } from './limits';
import type { Member, RoomDirectory, RoomPort } from './room-port';

/**
 * `history` reports that may replace the room record (`started`) per connection: a burst of 3, then one per
 * 10 s. An honest peer sends one when it starts a history (again after a rejoin); each one that changes the
 * record is a durable write (fsync with --data) and a broadcast to the room, so a member flipping the record
 * at the frame rate stalled the whole server. Beyond the budget a report counts as not started: it fills an
 * empty record, never replaces one.
 */
const HISTORY_STARTS_BURST = 3;
const HISTORY_STARTS_PER_SECOND = 0.1;

/**
 * Bytes that may wait in a connection's send buffer (its client reads slower than peers relay to it) before
 * relayed data and signals to it are dropped and counted (`rejected['slow-reader']`): without it a client that
 * stopped reading let another one park up to 2,000 × 1 MiB per second in the server's memory. Relayed data is
 * what peers resend when it is lost (the room's protocol); the server's own frames still go.
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** The highest `minEpoch` a lease request may report (peers never promise a term at or above 2^40). */
const MAX_REPORTED_EPOCH = 2 ** 39;

/** The little the connection needs from a WebSocket, so tests can drive it without sockets. */
export interface Socket {
  /** Text frames; bytes only for a raw relay frame (UTF-8 text, sent with `binary: false`). */
  send(data: string | Uint8Array, opts: { readonly binary: boolean }): void;
  close(code: number, reason: string): void;
  /** Bytes queued to the client and not yet written to the network (ws's WebSocket has it). */
  readonly bufferedAmount?: number;
}

export interface ServerStats {
  connections: number;
  framesIn: number;
  framesOut: number;
  /** Characters of signal payloads and relay data passed between peers. */
  relayedBytes: number;
  leaseGrants: number;
  errors: number;
  rejected: Record<string, number>;
}

const TEXT = { binary: false } as const;

export class Connection {
  #member: (Member & { room: RoomPort }) | null = null;
  readonly #bucket: TokenBucket;
  readonly #historyStarts: TokenBucket;
  #lastRateErrorAt = -Infinity;
  /** The client reads raw relay frames (it said so in its join). */
  #rawRelay = false;
  /** Set by the liveness sweep; cleared by every pong. */
  awaitingPong = false;

  constructor(
    private readonly socket: Socket,
    private readonly rooms: RoomDirectory,
    private readonly limits: Limits,
    private readonly stats: ServerStats,
    private readonly now: () => number,
    /** The room named in the WebSocket URL (`/signal?room=…`), if any: a join must name the same room. */
    private readonly urlRoom: string | null = null,
    /** The per-address join budget (limits.ts AddressLimits); false refuses this join. */
    private readonly joinAllowed: () => boolean = () => true,
  ) {
    this.#bucket = new TokenBucket(limits.messagesPerSecond, now);
    this.#historyStarts = new TokenBucket(HISTORY_STARTS_PER_SECOND, now, HISTORY_STARTS_BURST);
  }

  send(frame: ServerFrameBody): void {
    if (frame.type === 'signal' && this.#slowReader()) return;
    corkForTick(this.socket);
    this.stats.framesOut++;
    this.socket.send(encodeServerFrame(frame), TEXT);
  }

  /** Handle one inbound WebSocket message. */
  receive(data: string | Buffer, isBinary: boolean, bytes: number): void {
    this.stats.framesIn++;
    if (!this.#bucket.take()) {
      // One error per second is enough to explain the drops; answering every flooded frame would amplify it.
      const t = this.now();
      if (t - this.#lastRateErrorAt >= 1000) {
        this.#lastRateErrorAt = t;
        this.#reject(ErrorCode.RateLimited, `more than ${this.limits.messagesPerSecond} messages per second; frames dropped`);
      } else this.#count(ErrorCode.RateLimited);
      return;
    }
    if (bytes > this.limits.maxMessageBytes) {
      this.#reject(ErrorCode.TooLarge, `frame of ${bytes} bytes exceeds the ${this.limits.maxMessageBytes}-byte limit`);
      return;
    }
    if (isBinary) {
      this.#reject(ErrorCode.BadFrame, 'binary frames are not part of the protocol; send JSON text');
      return;
    }
    if (typeof data === 'string' ? data.startsWith(RAW_RELAY_TAG) : data[0] === RAW_RELAY_TAG.charCodeAt(0)) {
      // The relay hot path: the peer id is read, the data is forwarded as it came (never decoded here).
      const raw = parseRawRelayBytes(typeof data === 'string' ? Buffer.from(data) : data);
      if (!raw) return this.#reject(ErrorCode.BadFrame, 'malformed raw relay frame: expected R<peer id>\\n<data>', 'relay');
      return this.#relay(raw.peer, raw.data);
    }
    const json = parseJson(typeof data === 'string' ? data : data.toString('utf8'));
    if (json === undefined) {
      this.#reject(ErrorCode.BadJson, 'frame is not valid JSON');
      return;
    }
    const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
    const schema = typeof type === 'string' ? CLIENT_FRAME_SCHEMAS.get(type) : undefined;
    if (!schema || typeof type !== 'string') {
      // Named without encoding the value itself: a `type` nested 200,000 deep made JSON.stringify throw here.
      this.#reject(ErrorCode.UnknownType, `unknown frame type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type}`);
      return;
    }
    const parsed = v.safeParse(schema, json);
    if (!parsed.success) {
      this.#reject(ErrorCode.BadFrame, `malformed "${type}" frame: ${parsed.issues[0]?.message ?? 'invalid'}`, type);
      return;
    }
    this.#dispatch(parsed.output);
  }

  /** The socket closed (cleanly or after a missed pong): the room is told, the lease waits for its TTL. */
  closed(reason: PeerLeftReason): void {
    const m = this.#member;
    if (!m) return;
    this.#member = null;
    m.room.leave(m, reason);
    this.rooms.collect(m.room.id);
  }

  #dispatch(f: ClientFrame): void {
    if (f.type === 'ping') return this.send({ type: 'pong', t: f.t });
    if (f.type === 'join') return this.#join(f);
    const m = this.#member;
    if (!m) return this.#reject(ErrorCode.NotJoined, `"${f.type}" needs a joined room; send "join" first`, f.type);
    switch (f.type) {
      case 'leave':
        this.#member = null;
        m.room.leave(m, PeerLeftReason.Leave);
        this.rooms.collect(m.room.id);
        return;
      case 'signal': {
        const target = m.room.members.get(f.to);
        if (!target) return this.#reject(ErrorCode.UnknownPeer, `peer ${f.to} is not in this room`, f.type);
        this.stats.relayedBytes += f.payload.length;
        return target.send({ type: 'signal', from: m.peer, payload: f.payload });
      }
      case 'relay':
        return this.#relay(f.to, f.data);
      case 'lease-request':
        // A reported epoch moves the room's next grant: capped far below 2^53 (peers accept terms below 2^40),
        // so no client can make the server grant a term nobody accepts — and record it for good with --data.
        return m.room.requestLease(m, Math.min(f.minEpoch, MAX_REPORTED_EPOCH));
      case 'lease-release':
        return m.room.releaseLease(m);
      case 'history':
        return m.room.reportHistory(m, f.genesis, f.started === true && this.#historyStarts.take());
    }
  }

  #relay(to: string, data: string | Uint8Array): void {
    const m = this.#member;
    if (!m) return this.#reject(ErrorCode.NotJoined, '"relay" needs a joined room; send "join" first', 'relay');
    const target = m.room.members.get(to);
    if (!target) return this.#reject(ErrorCode.UnknownPeer, `peer ${to} is not in this room`, 'relay');
    this.stats.relayedBytes += data.length;
    target.relay(m.peer, data);
  }

  /** A relay frame to this client: raw bytes when it reads them, else the JSON frame. */
  #relayOut(from: string, data: string | Uint8Array): void {
    if (this.#slowReader()) return;
    corkForTick(this.socket);
    this.stats.framesOut++;
    if (!this.#rawRelay) return this.socket.send(encodeServerFrame({ type: 'relay', from, data: typeof data === 'string' ? data : Buffer.from(data).toString('utf8') }), TEXT);
    if (typeof data === 'string') return this.socket.send(`${RAW_RELAY_TAG}${from}\n${data}`, TEXT);
    this.socket.send(Buffer.concat([Buffer.from(`${RAW_RELAY_TAG}${from}\n`, 'latin1'), data]), TEXT);
  }

  #join(f: Extract<ClientFrame, { type: 'join' }>): void {
    const { room: roomId, peer, instance } = f;
    const rawRelay = f.rawRelay === true;
    if (this.#member) return this.#reject(ErrorCode.AlreadyJoined, `already in a room as ${this.#member.peer}; leave first`, 'join');
    if (this.urlRoom !== null && roomId !== this.urlRoom) return this.#reject(ErrorCode.BadFrame, 'join names another room than the WebSocket URL (?room=)', 'join');
    if (!this.joinAllowed()) {
      this.#reject(ErrorCode.TooManyConnections, 'too many joins from this address; retry later', 'join');
      return this.socket.close(1013, 'too many joins');
    }
    const refused = admissionProblem(roomId, f.proof);
    if (refused !== null) return this.#reject(ErrorCode.AdmissionRefused, refused, 'join');
    const room = this.rooms.get(roomId, f.tag);
    const existing = room.members.get(peer);
    if (existing && existing.instance !== instance) {
      this.rooms.collect(roomId);
      return this.#reject(ErrorCode.DuplicatePeer, `peer id ${peer} is already in this room (another tab or device uses it)`, 'join');
    }
    if (!existing && room.members.size >= this.limits.maxPeersPerRoom) {
      this.rooms.collect(roomId);
      return this.#reject(ErrorCode.RoomFull, `room is full (${this.limits.maxPeersPerRoom} peers)`, 'join');
    }
    this.#rawRelay = rawRelay;
    const member: Member & { room: RoomPort } = {
      peer,
      instance,
      room,
      send: (f: ServerFrameBody) => this.send(f),
      relay: (from: string, data: string | Uint8Array) => this.#relayOut(from, data),
      kick: () => this.detach(),
      refused: () => {
        if (this.#member === member) this.#member = null;
      },
    };
    if (existing) {
      // The same page instance reconnected before the server noticed its old socket died: swap quietly, so
      // the others see no leave/join flap and no lease is lost.
      existing.kick();
      this.#member = member;
      room.rejoin(member);
      return;
    }
    this.#member = member;
    room.join(member);
  }

  /** Detach without telling the room (another socket of the same instance took over). */
  detach(): void {
    this.#member = null;
    this.socket.close(4000, 'replaced by a newer connection of the same peer');
  }

  /** This client is not reading what it is sent: a relayed frame or signal for it is dropped (counted). */
  #slowReader(): boolean {
    if ((this.socket.bufferedAmount ?? 0) <= MAX_BUFFERED_BYTES) return false;
    this.#count('slow-reader');
    return true;
  }

  #reject(code: ErrorCode, message: string, ref?: string): void {
    this.#count(code);
    this.send({ type: 'error', code, message, ...(ref ? { ref } : {}) });
  }

  #count(code: string): void {
    this.stats.rejected[code] = (this.stats.rejected[code] ?? 0) + 1;
  }
}
