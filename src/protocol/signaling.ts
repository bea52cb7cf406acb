// The signaling wire protocol, shared by the Node server and the browser client. Pure (valibot only), so the
// browser bundle never pulls Node code. Every frame carries the protocol version `v`; both sides parse untrusted
// text to `Frame | null` and drop (and count) anything else.
//
// The server only ever sees: a hash of the room name, peer ids, and opaque strings (`signal.payload` is
// AES-GCM ciphertext when the room has a key; `relay.data` is an opaque transport frame).
import * as v from 'valibot';
import { parserByType, schemasByType } from './by-type';

export const PROTOCOL_VERSION = 1;

/** Peer ids and room hashes are short tokens: no spaces, no markup, bounded length. */
const Token = v.pipe(v.string(), v.minLength(1), v.maxLength(128), v.regex(/^[A-Za-z0-9_.:-]+$/));
const Version = v.literal(PROTOCOL_VERSION);
const Epoch = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));

// ---- client → server -------------------------------------------------------------------------------------

export const ClientFrame = v.variant('type', [
  // `instance` is random per page load: a reconnect of the same instance replaces its stale socket, while
  // another instance claiming the same peer id (a duplicated tab) is rejected as a duplicate.
  v.object({ v: Version, type: v.literal('join'), room: Token, peer: Token, instance: Token }),
  v.object({ v: Version, type: v.literal('leave') }),
  v.object({ v: Version, type: v.literal('signal'), to: Token, payload: v.string() }),
  v.object({ v: Version, type: v.literal('relay'), to: Token, data: v.string() }),
  v.object({ v: Version, type: v.literal('lease-request'), minEpoch: Epoch }),
  v.object({ v: Version, type: v.literal('lease-release') }),
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
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const PeerLeftReason = { Leave: 'leave', Closed: 'closed', Timeout: 'timeout' } as const;
export type PeerLeftReason = (typeof PeerLeftReason)[keyof typeof PeerLeftReason];

export const ServerFrame = v.variant('type', [
  v.object({ v: Version, type: v.literal('joined'), room: Token, peer: Token, peers: v.pipe(v.array(Token), v.maxLength(10_000)) }),
  v.object({ v: Version, type: v.literal('peer-joined'), peer: Token }),
  v.object({ v: Version, type: v.literal('peer-left'), peer: Token, reason: v.picklist(Object.values(PeerLeftReason)) }),
  v.object({ v: Version, type: v.literal('signal'), from: Token, payload: v.string() }),
  v.object({ v: Version, type: v.literal('relay'), from: Token, data: v.string() }),
  v.object({ v: Version, type: v.literal('lease'), holder: v.nullable(Token), epoch: Epoch, ttlMs: v.pipe(v.number(), v.minValue(0)) }),
  v.object({ v: Version, type: v.literal('pong'), t: v.number() }),
  v.object({ v: Version, type: v.literal('error'), code: v.string(), message: v.string(), ref: v.optional(v.string()) }),
]);
export type ServerFrame = v.InferOutput<typeof ServerFrame>;

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
