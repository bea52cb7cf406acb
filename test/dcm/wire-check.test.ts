// The hand-written checks of the hot message types (wire-check.ts) against the valibot schemas they
// replace on the hot path: the same verdict and the same output on valid messages, on each one broken in
// every field, and with fields added.
import { describe, expect, it } from 'vitest';
import { parseMessage, parseMessageBySchema, PROTOCOL_VERSION } from '../../src/dcm/messages';
import { checkHot } from '../../src/dcm/wire-check';

let seed = 12345;
const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const id = (): string => pick(['a', 'p1', 'm-17', 'x'.repeat(512)]);
const nat = (): number => pick([0, 1, 7, 123456]);
const value = (): unknown => pick([undefined, 1, 'v', null, { a: [1, 2] }, [true]]);
const molecule = (): Record<string, unknown> => {
  const m: Record<string, unknown> = { id: id(), reactor: id(), name: pick(['job', '', 'n'.repeat(512)]) };
  const v = value();
  if (v !== undefined) m['value'] = v;
  return m;
};
const list = <T>(f: () => T): T[] => Array.from({ length: Math.floor(rnd() * 3) }, f);
const entry = (): Record<string, unknown> =>
  pick([
    () => ({ type: 'emit', epoch: nat(), source: id(), seq: nat(), molecule: molecule() }),
    () => ({ type: 'commit', epoch: nat(), claimId: id(), holder: id(), reaction: 'r', consumed: list(id), produced: list(molecule), replies: list(() => ({ to: id(), callId: 'c1', value: value() })) }),
    () => ({ type: 'term', epoch: nat(), leader: id(), ...(rnd() < 0.5 ? { genesis: 'g1' } : {}) }),
    () => ({ type: 'config', epoch: nat(), members: list(id) }),
  ])();
const bodies: Record<string, () => Record<string, unknown>> = {
  append: () => ({ epoch: nat(), owner: 'o', leader: id(), prevIndex: nat(), prevEpoch: nat(), entries: list(entry), commitIndex: nat(), ...(rnd() < 0.5 ? { durable: nat() } : {}), ...(rnd() < 0.5 ? { genesis: 'g' } : {}) }),
  'append-ack': () => ({ epoch: nat(), ok: rnd() < 0.5, matchIndex: nat(), hint: nat(), ...(rnd() < 0.5 ? { refused: true } : {}) }),
  emit: () => ({ items: list(() => ({ source: id(), seq: nat(), molecule: molecule() })) }),
  claim: () => ({ epoch: nat(), claimId: id(), ids: list(id) }),
  commit: () => ({ epoch: nat(), claimId: id(), reaction: 'work', consumed: list(id), produced: list(molecule), replies: list(() => ({ to: id(), callId: 'c', value: value() })) }),
  'claim-result': () => ({ claimId: id(), ok: rnd() < 0.5 }),
  'commit-result': () => ({ claimId: id(), ok: rnd() < 0.5 }),
  claimed: () => ({ epoch: nat(), ids: list(id), taken: rnd() < 0.5 }),
  renew: () => ({ epoch: nat(), claimIds: list(id) }),
  release: () => ({ epoch: nat(), claimId: id() }),
  fresh: () => ({ epoch: nat(), leader: id(), molecule: molecule() }),
};
const BAD: readonly unknown[] = [undefined, null, -1, 1.5, NaN, '', 'x'.repeat(513), 'x'.repeat(65), true, 7, {}, [], ['a', 3], [{}], 'zz'];

/** Every path to a field or element inside a value (objects and arrays), with a way to replace or delete it. */
function paths(x: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof x !== 'object' || x === null) return [];
  const keys = Array.isArray(x) ? x.map((_, i) => i) : Object.keys(x);
  return keys.flatMap((k) => [[...at, k], ...paths((x as Record<string | number, unknown>)[k], [...at, k])]);
}
function mutate(x: unknown, path: readonly (string | number)[], to: unknown, remove: boolean): unknown {
  const copy = structuredClone(x) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (remove && !Array.isArray(o)) delete o[last];
  else o[last] = to;
  return copy;
}

const same = (raw: unknown): void => {
  const hot = checkHot(raw, PROTOCOL_VERSION);
  expect(hot, JSON.stringify(raw)).not.toBeUndefined();
  // toEqual: a field set to undefined (only structured clone can carry one, never JSON) may be left out.
  expect(hot, JSON.stringify(raw)).toEqual(parseMessageBySchema(raw));
};

describe('wire-check: the hot messages checked by hand, as the schema would', () => {
  for (const [type, body] of Object.entries(bodies)) {
    it(`${type}: valid, broken in each field, extended`, () => {
      for (let round = 0; round < 40; round++) {
        const m = { v: PROTOCOL_VERSION, type, ...body() };
        expect(parseMessageBySchema(m)).not.toBeNull();
        same(m);
        same({ ...m, extra: { big: 'x'.repeat(100) } });
        same({ ...m, v: 2 });
        for (const p of paths(m)) {
          if (p.length === 1 && p[0] === 'type') continue; // another type altogether
          same(mutate(m, p, pick(BAD), rnd() < 0.3));
        }
      }
    });
  }

  it('leaves other types and non-objects to the schema', () => {
    expect(checkHot({ v: 1, type: 'recover', epoch: 1, owner: 'o' }, PROTOCOL_VERSION)).toBeUndefined();
    expect(checkHot({ v: 1, type: 'toString' }, PROTOCOL_VERSION)).toBeUndefined();
    expect(checkHot('append', PROTOCOL_VERSION)).toBeUndefined();
    expect(parseMessage({ v: 1, type: 'recover', epoch: 1, owner: 'o' })).toStrictEqual({ v: 1, type: 'recover', epoch: 1, owner: 'o' });
    expect(parseMessage({ v: 1, type: 'nope' })).toBeNull();
  });

  it('refuses a molecule value past the limits, as the schema does', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const m = { v: 1, type: 'fresh', epoch: 1, leader: 'p', molecule: { id: 'm', reactor: 'r', name: 'n', value: deep } };
    expect(checkHot(m, PROTOCOL_VERSION)).toBeNull();
    expect(parseMessageBySchema(m)).toBeNull();
  });
});
