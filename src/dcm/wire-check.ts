// Hand-written checks for the protocol's hot messages — what every reaction sends (emit, claim, commit,
// their results, the claim hints) and what replicates it (append, append-ack). The same rules as the valibot
// schemas in messages.ts, which stay the reference and check every other type: test/dcm/wire-check.test.ts
// compares both on valid, broken and foreign input. Like valibot, a check returns a fresh object holding the
// schema's keys only (a peer cannot smuggle extra fields into the log), or null.
import type { DistributedMolecule } from '../core/distributed-port';
import { DEFAULT_VALUE_LIMITS, isValueWithinLimits } from '../core/value-limits';
import type { Entry, ReplyOutput } from './entries';
import { COMPACT_COMMIT, COMPACT_EMIT } from './wire-entry';

type Fields = Record<string, unknown>;
const MAX_VALUE_CHARS = DEFAULT_VALUE_LIMITS.maxChars;

const isObject = (x: unknown): x is Fields => typeof x === 'object' && x !== null && !Array.isArray(x);
/** Peer, molecule, reactor and claim ids. */
const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 512;
const isName = (x: unknown): x is string => typeof x === 'string' && x.length <= 512;
/** Natural numbers: indexes, counts, epochs. */
const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const isGenesis = (x: unknown): x is string => typeof x === 'string' && x.length >= 1 && x.length <= 64;
/** `value` of a molecule or reply: absent, or within the value limits (a number, boolean or null always is). */
const isValue = (x: unknown): boolean =>
  x === undefined || x === null || typeof x === 'number' || typeof x === 'boolean' || (typeof x === 'string' ? x.length <= MAX_VALUE_CHARS : isValueWithinLimits(x));

/** An array of ids (the input array itself: JSON gave it to nobody else). */
function ids(x: unknown): string[] | null {
  if (!Array.isArray(x)) return null;
  for (let i = 0; i < x.length; i++) if (!isId(x[i])) return null;
  return x as string[];
}

function molecule(x: unknown): DistributedMolecule | null {
  if (!isObject(x)) return null;
  const { id, reactor, name, value } = x;
  if (!isId(id) || !isId(reactor) || !isName(name) || !isValue(value)) return null;
  return { id, reactor, name, value } as DistributedMolecule;
}

function molecules(x: unknown): DistributedMolecule[] | null {
  if (!Array.isArray(x)) return null;
  const out = new Array<DistributedMolecule>(x.length);
  for (let i = 0; i < x.length; i++) {
    const m = molecule(x[i]);
    if (!m) return null;
    out[i] = m;
  }
  return out;
}

function replies(x: unknown): ReplyOutput[] | null {
  if (!Array.isArray(x)) return null;
  const out = new Array<ReplyOutput>(x.length);
  for (let i = 0; i < x.length; i++) {
    const r = x[i] as unknown;
    if (!isObject(r) || !isId(r['to']) || !isName(r['callId']) || !isValue(r['value'])) return null;
    out[i] = { to: r['to'], callId: r['callId'], value: r['value'] } as ReplyOutput;
  }
  return out;
}

/** The checked fields, typed (ids and epochs are branded types; the checks above are their proof). */
const asEntry = (e: Fields): Entry => e as unknown as Entry;

function emitEntry(epoch: number, source: unknown, seq: unknown, m: DistributedMolecule | null): Entry | null {
  return m && isName(source) && isNat(seq) ? asEntry({ type: 'emit', epoch, source, seq, molecule: m }) : null;
}

function commitEntry(epoch: number, claimId: unknown, holder: unknown, reaction: unknown, consumedRaw: unknown, producedRaw: unknown, repliesRaw: unknown): Entry | null {
  const consumed = ids(consumedRaw);
  const produced = consumed && molecules(producedRaw);
  const rs = produced && replies(repliesRaw);
  if (!rs || !isId(claimId) || !isId(holder) || !isName(reaction)) return null;
  return asEntry({ type: 'commit', epoch, claimId, holder, reaction, consumed, produced, replies: rs });
}

/** A log entry in object form, or in the compact form of an emit or commit (wire-entry.ts): the same checks. */
export function checkEntry(x: unknown): Entry | null {
  if (Array.isArray(x)) return compactEntry(x as unknown[]);
  if (!isObject(x) || !isNat(x['epoch'])) return null;
  const epoch = x['epoch'];
  switch (x['type']) {
    case 'emit':
      return emitEntry(epoch, x['source'], x['seq'], molecule(x['molecule']));
    case 'commit':
      return commitEntry(epoch, x['claimId'], x['holder'], x['reaction'], x['consumed'], x['produced'], x['replies']);
    case 'term': {
      const { leader, genesis } = x;
      if (!isId(leader) || (genesis !== undefined && !isGenesis(genesis))) return null;
      return asEntry(genesis === undefined ? { type: 'term', epoch, leader } : { type: 'term', epoch, leader, genesis });
    }
    case 'config': {
      const members = ids(x['members']);
      return members ? asEntry({ type: 'config', epoch, members }) : null;
    }
    default:
      return null;
  }
}

/** `[EMIT, epoch, source, seq, id, reactor, name, value?]` or `[COMMIT, epoch, claimId, holder, reaction, consumed, produced, replies]`. */
function compactEntry(a: readonly unknown[]): Entry | null {
  const epoch = a[1];
  if (!isNat(epoch)) return null;
  if (a[0] === COMPACT_EMIT && (a.length === 7 || a.length === 8)) {
    const id = a[4],
      reactor = a[5],
      name = a[6],
      value = a[7];
    const m = isId(id) && isId(reactor) && isName(name) && isValue(value) ? ({ id, reactor, name, value } as DistributedMolecule) : null;
    return emitEntry(epoch, a[2], a[3], m);
  }
  if (a[0] === COMPACT_COMMIT && a.length === 8) return commitEntry(epoch, a[2], a[3], a[4], a[5], a[6], a[7]);
  return null;
}

/** An append's entries, each in object or compact form (wire-entry.ts). */
function entries(x: unknown): Entry[] | null {
  if (!Array.isArray(x)) return null;
  const out = new Array<Entry>(x.length);
  for (let i = 0; i < x.length; i++) {
    const e = checkEntry(x[i]);
    if (!e) return null;
    out[i] = e;
  }
  return out;
}

/** The message types checked here; every other type goes to the valibot schema. */
type Hot = 'append' | 'append-ack' | 'emit' | 'claim' | 'commit' | 'claim-result' | 'commit-result' | 'claimed' | 'renew' | 'release' | 'fresh';
type Check = (m: Fields) => Fields | null;

const CHECKS: Readonly<Record<Hot, Check>> = {
  append(m) {
    const { epoch, owner, leader, prevIndex, prevEpoch, commitIndex, durable, genesis } = m;
    const es = entries(m['entries']);
    if (!es || !isNat(epoch) || !isName(owner) || !isId(leader) || !isNat(prevIndex) || !isNat(prevEpoch) || !isNat(commitIndex)) return null;
    if ((durable !== undefined && !isNat(durable)) || (genesis !== undefined && !isGenesis(genesis))) return null;
    const out: Fields = { epoch, owner, leader, prevIndex, prevEpoch, entries: es, commitIndex };
    if (durable !== undefined) out['durable'] = durable;
    if (genesis !== undefined) out['genesis'] = genesis;
    return out;
  },
  'append-ack'(m) {
    const { epoch, ok, matchIndex, hint, refused } = m;
    if (!isNat(epoch) || typeof ok !== 'boolean' || !isNat(matchIndex) || !isNat(hint) || (refused !== undefined && typeof refused !== 'boolean')) return null;
    return refused === undefined ? { epoch, ok, matchIndex, hint } : { epoch, ok, matchIndex, hint, refused };
  },
  emit(m) {
    const items = m['items'];
    if (!Array.isArray(items)) return null;
    const out = new Array<Fields>(items.length);
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as unknown;
      if (!isObject(it) || !isName(it['source']) || !isNat(it['seq'])) return null;
      const mol = molecule(it['molecule']);
      if (!mol) return null;
      out[i] = { source: it['source'], seq: it['seq'], molecule: mol };
    }
    return { items: out };
  },
  claim(m) {
    const { epoch, claimId } = m;
    const list = ids(m['ids']);
    return list && isNat(epoch) && isId(claimId) ? { epoch, claimId, ids: list } : null;
  },
  commit(m) {
    const { epoch, claimId, reaction, claim } = m;
    const consumed = ids(m['consumed']);
    const produced = consumed && molecules(m['produced']);
    const rs = produced && replies(m['replies']);
    if (!rs || !isNat(epoch) || !isId(claimId) || !isName(reaction) || (claim !== undefined && claim !== true)) return null;
    return claim === true ? { epoch, claimId, reaction, consumed, produced, replies: rs, claim } : { epoch, claimId, reaction, consumed, produced, replies: rs };
  },
  'claim-result': (m) => (isId(m['claimId']) && typeof m['ok'] === 'boolean' ? { claimId: m['claimId'], ok: m['ok'] } : null),
  'commit-result': (m) => (isId(m['claimId']) && typeof m['ok'] === 'boolean' ? { claimId: m['claimId'], ok: m['ok'] } : null),
  claimed(m) {
    const list = ids(m['ids']);
    return list && isNat(m['epoch']) && typeof m['taken'] === 'boolean' ? { epoch: m['epoch'], ids: list, taken: m['taken'] } : null;
  },
  renew(m) {
    const list = ids(m['claimIds']);
    return list && isNat(m['epoch']) ? { epoch: m['epoch'], claimIds: list } : null;
  },
  release: (m) => (isNat(m['epoch']) && isId(m['claimId']) ? { epoch: m['epoch'], claimId: m['claimId'] } : null),
  fresh(m) {
    const mol = molecule(m['molecule']);
    return mol && isNat(m['epoch']) && isId(m['leader']) ? { epoch: m['epoch'], leader: m['leader'], molecule: mol } : null;
  },
};

const isHot = (t: unknown): t is Hot => typeof t === 'string' && Object.hasOwn(CHECKS, t);

/**
 * Check a hot message by hand: the message (a fresh object, typed by messages.ts), null when malformed, or
 * undefined when its type is not one of the hot ones (the caller checks it with the schema).
 */
export function checkHot(raw: unknown, version: number): Fields | null | undefined {
  if (!isObject(raw)) return undefined;
  const type = raw['type'];
  if (!isHot(type)) return undefined;
  if (raw['v'] !== version) return null;
  const body = CHECKS[type](raw);
  return body ? { v: version, type, ...body } : null;
}
