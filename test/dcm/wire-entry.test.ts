// The compact wire form of emit and commit entries (wire-entry.ts) is only an encoding: an append carrying its
// entries in it is received exactly as the same append in object form (JSON.stringify's text), for any
// entry, well-formed or not; and whatever array a peer puts in `entries` is checked, never thrown on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/dcm/entries';
import { parseMessage, type Message } from '../../src/dcm/messages';
import { MessageEncoder } from '../../src/dcm/wire-encode';
import { entryText } from '../../src/dcm/wire-entry';

const append = (es: readonly unknown[]): Message =>
  ({ v: 1, type: 'append', epoch: 3, owner: 'p1~x', leader: 'p1', prevIndex: 7, prevEpoch: 3, entries: es, commitIndex: 5 }) as unknown as Message;
/** What a receiver makes of a text: the checked message (null when refused). */
const received = (text: string): unknown => parseMessage(JSON.parse(text));

const id = fc.string({ minLength: 0, maxLength: 12 });
const nat = fc.oneof(fc.nat(), fc.constant(-1), fc.double(), fc.constant(2 ** 53));
const value = fc.oneof(fc.constant(undefined), fc.constant(null), fc.jsonValue({ maxDepth: 3 }));
const molecule = fc.oneof(
  fc.record({ id, reactor: id, name: id, value }),
  fc.record({ id, reactor: id, name: id }),
  fc.record({ id: fc.oneof(id, fc.nat()), reactor: id, name: id, value, extra: id }),
);
const emit = fc.record({ type: fc.constant('emit'), epoch: nat, source: id, seq: nat, molecule: fc.oneof(molecule, fc.constant(null), fc.constant('m')) });
const commit = fc.record({
  type: fc.constant('commit'),
  epoch: nat,
  claimId: id,
  holder: id,
  reaction: id,
  consumed: fc.array(fc.oneof(id, fc.nat()), { maxLength: 3 }),
  produced: fc.array(molecule, { maxLength: 2 }),
  replies: fc.array(fc.record({ to: id, callId: id, value }), { maxLength: 2 }),
});
const other = fc.oneof(
  fc.record({ type: fc.constant('term'), epoch: nat, leader: id }),
  fc.record({ type: fc.constant('config'), epoch: nat, members: fc.array(id, { maxLength: 3 }) }),
);
const entry = fc.oneof(emit, commit, other) as fc.Arbitrary<Entry>;

describe('compact entries on the wire', () => {
  it('are received exactly as the object form, for any entry', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (es) => {
        const m = append(es);
        expect(received(new MessageEncoder().encode(m))).toEqual(received(JSON.stringify(m)));
      }),
      { numRuns: 2000 },
    );
  });

  it('are shorter for the entries every reaction appends', () => {
    const e = { type: 'emit', epoch: 1, source: 'p0~1u0uusz', seq: 801, molecule: { id: 'p0~1u0uusz:801', reactor: '324e1f827513a947', name: 'job', value: 0 } } as unknown as Entry;
    const c = { type: 'commit', epoch: 1, claimId: 'p0:1de4m40:c2235', holder: 'p0', reaction: 'work', consumed: ['p0~1u0uusz:801'], produced: [], replies: [] } as unknown as Entry;
    for (const x of [e, c]) expect(entryText(x).length).toBeLessThan(JSON.stringify(x).length * 0.5);
  });

  it('are refused where the object form is: a value past the limits, a wrong type in any field', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const emit = (over: Partial<Record<number, unknown>>): unknown[] => Object.assign(['e', 1, 's~x', 1, 's~x:1', 'r', 'n', 5], over);
    const commit = (over: Partial<Record<number, unknown>>): unknown[] => Object.assign(['c', 1, 'p:b:c1', 'p', 'work', ['s~x:1'], [], []], over);
    expect(received(JSON.stringify(append([emit({}), commit({})])))).not.toBeNull();
    for (const bad of [emit({ 7: deep }), emit({ 1: -1 }), emit({ 2: 3 }), emit({ 3: 1.5 }), emit({ 4: '' }), emit({ 5: 7 }), emit({ 6: null }), commit({ 5: [7] }), commit({ 6: [{ id: 'x' }] }), commit({ 7: [{ to: 'p' }] }), commit({ 2: '' }), commit({ 3: 1 }), commit({ 4: [] }), commit({ 6: [{ id: 'm', reactor: 'r', name: 'n', value: deep }] })])
      expect(received(JSON.stringify(append([bad])))).toBeNull();
  });

  it('check whatever array a peer sends as an entry, and never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 9 }), fc.tuple(fc.constantFrom('e', 'c'), fc.jsonValue({ maxDepth: 2 }))), { minLength: 1, maxLength: 4 }), (rows) => {
        const got = received(JSON.stringify(append(rows))) as { entries?: unknown[] } | null;
        if (got) for (const e of got.entries ?? []) expect(Array.isArray(e)).toBe(false);
      }),
      { numRuns: 2000 },
    );
    expect(received(JSON.stringify(append([['e', 1, 's', 1, 'i', 'r', 'n', 5]])))).not.toBeNull();
    expect(received(JSON.stringify(append([['e', 1, 's', 1, 'i', 'r']])))).toBeNull();
    expect(received(JSON.stringify(append([['x', 1, 's', 1, 'i', 'r', 'n']])))).toBeNull();
    expect(received(JSON.stringify(append([['e', 1, 's', 1, 'i', 'r', 'n', 5, 'extra']])))).toBeNull();
  });
});
