// The signaling wire protocol, shared by the Node server and the browser client. Pure (valibot only), so the
// browser bundle never pulls Node code. Every frame carries the protocol version `v`; both sides parse untrusted
// text to `Frame | null` and drop (and count) anything else.
//
// The server only ever sees: a room id (derived from name and key for keyed rooms), peer ids, and opaque
// strings (`signal.payload` is AES-GCM ciphertext when the room has a key; `relay.data` is an opaque frame).
import * as v from 'valibot';
import { parserByType, schemasByType } from './by-type';

export const PROTOCOL_VERSION = 1;

/** Peer ids and room hashes are short tokens: no spaces, no markup, bounded length. */
const TOKEN = /^[A-Za-z0-9_.:-]{1,128}$/;
const Token = v.pipe(v.string(), v.minLength(1), v.maxLength(128), v.regex(TOKEN));
const Version = v.literal(PROTOCOL_VERSION);

/**
 * Prefix of the ids of keyed rooms: the server seats a peer there only with the admission proof whose hash is
 * the rest of the id — `k.` + base64url(SHA-256("kinetic-mesh/admission/" + proof)) (see src/mesh/room-crypto).
 */
export const KEYED_ROOM_PREFIX = 'k.';
export const ADMISSION_HASH_PREFIX = 'kinetic-mesh/admission/';
const Tag = v.pipe(v.string(), v.minLength(1), v.maxLength(8), v.regex(/^[A-Za-z0-9_-]+$/));
const Epoch = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));

// ---- client → server -------------------------------------------------------------------------------------

export const ClientFrame = v.variant('type', [
  // `instance` is random per page load: a reconnect of the same instance replaces its stale socket, while
  // another instance claiming the same peer id (a duplicated tab) is rejected as a duplicate.
  // `rawRelay`: this client reads and writes relay frames as raw text (see encodeRawRelay).
  // A keyed room (`room` starts with `k.`) needs `proof`: the server seats the peer only if SHA-256 of it is
  // the room id (see room-crypto). `tag` is the room name's short tag, for the "another key" hint.
  v.object({
    v: Version,
    type: v.literal('join'),
    room: Token,
    peer: Token,
    instance: Token,
    rawRelay: v.optional(v.literal(true)),
    proof: v.optional(Token),
    tag: v.optional(Tag),
  }),
  v.object({ v: Version, type: v.literal('leave') }),
  v.object({ v: Version, type: v.literal('signal'), to: Token, payload: v.string() }),
  v.object({ v: Version, type: v.literal('relay'), to: Token, data: v.string() }),
  v.object({ v: Version, type: v.literal('lease-request'), minEpoch: Epoch }),
  v.object({ v: Version, type: v.literal('lease-release') }),
  // The room history this peer holds (its genesis id), for the server's room record; `started`: this peer
  // started that history (created the room, or the user chose to start a new history), so it replaces the
  // record. The server only informs other peers' choice with it: peers refuse another history by name.
  v.object({ v: Version, type: v.literal('history'), genesis: Token, started: v.optional(v.literal(true)) }),
  v.object({ v: Version, type: v.literal('ping'), t: v.number() }),
]);
export type ClientFrame = v.InferOutput<typeof ClientFrame>;

// ---- server → client -------------------------------------------------------------------------------------

/** Why the server refused something; callers branch on `code`, people read `message`. */
export const ErrorCode = {
  BadJson: 'bad-json',
  BadFrame: 'bad-frame',
  UnknownType: 'unknown-type',
  TooLarge: 'too-large',
  RateLimited: 'rate-limited',
  RoomFull: 'room-full',
  ServerFull: 'server-full',
  NotJoined: 'not-joined',
  AlreadyJoined: 'already-joined',
  DuplicatePeer: 'duplicate-peer',
  UnknownPeer: 'unknown-peer',
  ShuttingDown: 'shutting-down',
  /** A keyed room joined without the right admission proof (the peer does not have the room key). */
  AdmissionRefused: 'admission-refused',
  /** Too many connections or joins from one address; the client retries later with backoff. */
  TooManyConnections: 'too-many-connections',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const PeerLeftReason = { Leave: 'leave', Closed: 'closed', Timeout: 'timeout' } as const;
export type PeerLeftReason = (typeof PeerLeftReason)[keyof typeof PeerLeftReason];

export const ServerFrame = v.variant('type', [
  // `rawRelay`: this server takes relay frames as raw text too (a client sends them only then).
  v.object({
    v: Version,
    type: v.literal('joined'),
    room: Token,
    peer: Token,
    peers: v.pipe(v.array(Token), v.maxLength(10_000)),
    rawRelay: v.optional(v.literal(true)),
    // `namesakes`: another room with the same name tag but a different key is open on this server.
    namesakes: v.optional(v.boolean()),
    // `record`: what the server's room record says (see RoomRecord); absent from servers that keep none.
    record: v.optional(v.object({ seen: v.boolean(), genesis: v.optional(Token) })),
  }),
  // Sent when the answer to `namesakes` changes after the join (such a room opened or closed).
  v.object({ v: Version, type: v.literal('namesakes'), present: v.boolean() }),
  v.object({ v: Version, type: v.literal('peer-joined'), peer: Token }),
  v.object({ v: Version, type: v.literal('peer-left'), peer: Token, reason: v.picklist(Object.values(PeerLeftReason)) }),
  v.object({ v: Version, type: v.literal('signal'), from: Token, payload: v.string() }),
  v.object({ v: Version, type: v.literal('relay'), from: Token, data: v.string() }),
  v.object({ v: Version, type: v.literal('lease'), holder: v.nullable(Token), epoch: Epoch, ttlMs: v.pipe(v.number(), v.minValue(0)) }),
  // The room record's history now: to a peer that reported one, and to everyone when the record changes.
  v.object({ v: Version, type: v.literal('history'), genesis: Token }),
  v.object({ v: Version, type: v.literal('pong'), t: v.number() }),
  v.object({ v: Version, type: v.literal('error'), code: v.string(), message: v.string(), ref: v.optional(v.string()) }),
]);
export type ServerFrame = v.InferOutput<typeof ServerFrame>;

/**
 * The server's record of a room as a joining peer is told it: `seen` — the server has a record of this room
 * (a lease was granted in it, or a peer reported its history); `genesis` — the room history peers reported
 * (the latest one a peer said it started). Advice only: it informs whether a peer without history may start
 * one, never which messages a replica accepts.
 */
export type RoomRecordView = NonNullable<Extract<ServerFrame, { type: 'joined' }>['record']>;

/** Distributive Omit, so `Out<'signal'>` keeps the discriminant. */
type WithoutV<T> = T extends unknown ? Omit<T, 'v'> : never;
export type ClientFrameBody = WithoutV<ClientFrame>;
export type ServerFrameBody = WithoutV<ServerFrame>;

/** Each client frame's schema by its type (validating one member, not walking the whole union). */
export const CLIENT_FRAME_SCHEMAS = schemasByType(ClientFrame.options);

/** Parse untrusted JSON text into a client frame, or null. */
const clientFrame = parserByType(ClientFrame.options);
export function parseClientFrame(text: string): ClientFrame | null {
  const json = parseJson(text);
  return json === undefined ? null : clientFrame(json);
}

/** Parse untrusted JSON text into a server frame, or null. */
const serverFrame = parserByType(ServerFrame.options);
export function parseServerFrame(text: string): ServerFrame | null {
  const json = parseJson(text);
  return json === undefined ? null : serverFrame(json);
}

/** JSON.parse that returns undefined instead of throwing (undefined is never valid JSON output). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const encodeClientFrame = (f: ClientFrameBody): string => JSON.stringify({ v: PROTOCOL_VERSION, ...f });
export const encodeServerFrame = (f: ServerFrameBody): string => JSON.stringify({ v: PROTOCOL_VERSION, ...f });

// ---- raw relay frames ----------------------------------------------------------------------------------------
// The hot path: a relay frame as `R<peer>\n<data>` text instead of JSON — the data (already a JSON transport
// frame) is neither escaped into a JSON string nor parsed again by the server, which only reads the peer id and
// forwards the bytes. Client → server `<peer>` is the receiver, server → client the sender. Used only when both
// sides said so (`rawRelay` in join and joined); a JSON frame never starts with `R`.

/** First character of a raw relay frame. */
export const RAW_RELAY_TAG = 'R';
const RAW_RELAY_BYTE = 0x52;
const NEWLINE = 0x0a;
/** The newline ends the peer id: at most 128 characters after the tag. */
const MAX_RAW_HEAD = 130;

export const encodeRawRelay = (peer: string, data: string): string => `${RAW_RELAY_TAG}${peer}\n${data}`;

/** A raw relay frame's peer and data, or null when it is not one (or its peer id is not a token). */
export function parseRawRelay(text: string): { readonly peer: string; readonly data: string } | null {
  if (text.charCodeAt(0) !== RAW_RELAY_BYTE) return null;
  const nl = text.indexOf('\n');
  if (nl < 2 || nl > MAX_RAW_HEAD) return null;
  const peer = text.slice(1, nl);
  return TOKEN.test(peer) ? { peer, data: text.slice(nl + 1) } : null;
}

/** The same on the server's raw bytes: the data stays bytes (forwarded without decoding), or null. */
export function parseRawRelayBytes(bytes: Uint8Array): { readonly peer: string; readonly data: Uint8Array } | null {
  if (bytes[0] !== RAW_RELAY_BYTE) return null;
  const nl = bytes.subarray(0, MAX_RAW_HEAD + 1).indexOf(NEWLINE);
  if (nl < 2) return null;
  let peer = '';
  for (let i = 1; i < nl; i++) peer += String.fromCharCode(bytes[i] as number);
  return TOKEN.test(peer) ? { peer, data: bytes.subarray(nl + 1) } : null;
}
