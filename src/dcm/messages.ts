// Wire messages of the distributed-molecule protocol: a versioned discriminated union, validated with
// valibot on the way in. parseMessage returns the message or null; the room drops and counts nulls.
import * as v from 'valibot';
import type { ClaimId, Epoch, MoleculeId, PeerId, ReactorId } from '../core/ids';
import { parserByType } from '../protocol/by-type';
import { isValueWithinLimits } from '../core/value-limits';
import { checkHot } from './wire-check';

export const PROTOCOL_VERSION = 1;

const id = (x: unknown): boolean => typeof x === 'string' && x.length > 0 && x.length <= 512;
const peerId = v.custom<PeerId>(id, 'peer id');
const moleculeId = v.custom<MoleculeId>(id, 'molecule id');
const reactorId = v.custom<ReactorId>(id, 'reactor id');
const claimId = v.custom<ClaimId>(id, 'claim id');
const nat = v.pipe(v.number(), v.integer(), v.minValue(0));
/** A sequencer term: a natural number, typed apart from log indexes and counts. */
const epoch = v.custom<Epoch>((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0, 'epoch');
const name = v.pipe(v.string(), v.maxLength(512));
/** A history's genesis id (genesis.ts). */
const genesis = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

// `value` may be absent: JSON links drop undefined (a payload-less molecule such as `incr()`).
// Bounded on receipt as at the emitter (src/core/value-limits): a too-deep or too-big value refuses the message.
const anyValue = v.optional(v.custom<unknown>(isValueWithinLimits, 'value within limits'), () => undefined);
const molecule = v.object({ id: moleculeId, reactor: reactorId, name, value: anyValue });
const reply = v.object({ to: peerId, callId: name, value: anyValue });

export const EntrySchema = v.variant('type', [
  v.object({ type: v.literal('term'), epoch, leader: peerId, genesis: v.optional(genesis) }),
  v.object({ type: v.literal('config'), epoch, members: v.array(peerId) }),
  v.object({ type: v.literal('emit'), epoch, source: name, seq: nat, molecule }),
  v.object({
    type: v.literal('commit'),
    epoch,
    claimId,
    holder: peerId,
    reaction: name,
    consumed: v.array(moleculeId),
    produced: v.array(molecule),
    replies: v.array(reply),
  }),
]);

const snapshot = v.object({
  index: nat,
  epoch,
  members: v.array(peerId),
  molecules: v.array(molecule),
  delivered: v.array(v.object({ source: name, upTo: nat, above: v.array(nat) })),
  commits: v.array(claimId),
});

const moleculeInfo = v.object({
  name,
  kind: v.picklist(['molecule', 'blocking', 'latched']),
  distributed: v.boolean(),
  static: v.boolean(),
});
/**
 * A catalog's bounds: far above any app (a reactor declares a handful of molecules, a peer hosts a few
 * reactors), far below what makes every `hostsOf` walk (the affinity's hot path) slow: a key holder announcing
 * a million reactors is refused and counted instead.
 */
export const MAX_CATALOG_REACTORS = 256;
export const MAX_REACTOR_MOLECULES = 1024;
const reactorInfo = v.object({ id: reactorId, name, version: name, molecules: v.pipe(v.array(moleculeInfo), v.maxLength(MAX_REACTOR_MOLECULES)) });

const message = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) =>
  v.object({ v: v.literal(PROTOCOL_VERSION), type: v.literal(type), ...entries });

const MessageSchema = v.variant('type', [
  // Sequencer → replicas: log entries after (prevIndex, prevEpoch), and how far the log is committed.
  // `durable`: the sequencer's own log is in its store up to here (a replica counts it toward a majority).
  // `owner`: the ballot's owner (leader id + its process incarnation), see docs/protocol.md "Ballots".
  // `genesis` (here and on snapshot, recover, promise, fetched, catalog): the history the sender holds (genesis.ts).
  message('append', { epoch, owner: name, leader: peerId, prevIndex: nat, prevEpoch: epoch, entries: v.array(EntrySchema), commitIndex: nat, durable: v.optional(nat), genesis: v.optional(genesis) }),
  // `refused`: the ballot itself was not accepted (`epoch` is the one promised here), not a log mismatch.
  message('append-ack', { epoch, ok: v.boolean(), matchIndex: nat, hint: nat, refused: v.optional(v.boolean()) }),
  // Sequencer → a replica too far behind for the log it still holds: the state, then the tail.
  message('snapshot', { epoch, owner: name, leader: peerId, snapshot, entries: v.array(EntrySchema), commitIndex: nat, genesis: v.optional(genesis) }),
  // A new sequencer asks for promises (no older epoch accepted any more) and log positions.
  message('recover', { epoch, owner: name, genesis: v.optional(genesis) }),
  // `mayStart`: the promiser may start the room's history (it created the room, or its user chose a new history).
  message('promise', { epoch, ok: v.boolean(), lastIndex: nat, lastEpoch: epoch, commitIndex: nat, base: nat, members: v.array(peerId), genesis: v.optional(genesis), mayStart: v.optional(v.boolean()) }),
  // The new sequencer fetches the most advanced log it was promised.
  message('fetch', { epoch, from: nat }),
  message('fetched', { epoch, snapshot: v.nullable(snapshot), prevIndex: nat, prevEpoch: epoch, entries: v.array(EntrySchema), genesis: v.optional(genesis) }),
  // Any peer → sequencer.
  message('emit', { items: v.array(v.object({ source: name, seq: nat, molecule })) }),
  message('claim', { epoch, claimId, ids: v.array(moleculeId) }),
  // Emitter → the copy's preferred host, when the emitter does not host its reactor: the copy is on its way
  // to the sequencer `leader` of `epoch`; its claim may follow at once (delegation without a round trip).
  message('fresh', { epoch, leader: peerId, molecule }),
  message('renew', { epoch, claimIds: v.array(claimId) }),
  message('release', { epoch, claimId }),
  // `claim`: the claim of these inputs is made by this commit (its claim message had not left yet when the
  // body finished: requester.ts folds the two into one).
  message('commit', {
    epoch,
    claimId,
    reaction: name,
    consumed: v.array(moleculeId),
    produced: v.array(molecule),
    replies: v.array(reply),
    claim: v.optional(v.literal(true)),
  }),
  // Sequencer → one peer.
  message('claim-result', { claimId, ok: v.boolean() }),
  message('commit-result', { claimId, ok: v.boolean() }),
  // Sequencer → everyone: a hint of which copies are claimed right now (not durable, not authoritative).
  message('claimed', { epoch, ids: v.array(moleculeId), taken: v.boolean() }),
  // Everyone → everyone: the reactors a peer hosts (KOS sync: declarations, never code).
  message('catalog', { reactors: v.pipe(v.array(reactorInfo), v.maxLength(MAX_CATALOG_REACTORS)), genesis: v.optional(genesis) }),
  // The answer to a ballot message of another history of this room: the history we hold (refused by name).
  message('history', { genesis }),
  message('leave', {}),
]);

export type Message = v.InferOutput<typeof MessageSchema>;
export type MessageType = Message['type'];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** Messages a peer queued for one other peer in one turn (see outgoing.ts); batches do not nest. */
const MAX_BATCH_MESSAGES = 512;

/**
 * The messages in one transport message: itself, or a batch's contents. Null entries are malformed ones
 * (the rest of a batch still counts); null overall when it is neither a message nor a well-formed batch.
 */
export function unbatch(raw: unknown): unknown[] | null {
  const b = raw as { v?: unknown; type?: unknown; messages?: unknown } | null;
  if (typeof b !== 'object' || b === null || b.type !== 'batch') return [raw];
  if (b.v !== PROTOCOL_VERSION || !Array.isArray(b.messages) || b.messages.length > MAX_BATCH_MESSAGES) return null;
  return b.messages as unknown[];
}

/** The schema's check (the reference; the hot types are checked by hand, wire-check.ts). */
export const parseMessageBySchema: (raw: unknown) => Message | null = parserByType(MessageSchema.options);

/** Validate an untrusted value; null when it is not a well-formed message of this protocol version. */
export function parseMessage(raw: unknown): Message | null {
  const hot = checkHot(raw, PROTOCOL_VERSION);
  // The hand checks give exactly the schema's output (test/dcm/wire-check.test.ts).
  return hot === undefined ? parseMessageBySchema(raw) : (hot as Message | null);
}

type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** Build a message with the version field filled in (read-only inputs are fine: messages are never mutated). */
export function msg<T extends MessageType>(type: T, body: DeepReadonly<Omit<MessageOf<T>, 'v' | 'type'>>): MessageOf<T> {
  return { v: PROTOCOL_VERSION, type, ...body } as unknown as MessageOf<T>;
}
