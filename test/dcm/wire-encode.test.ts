import { describe, expect, it } from 'vitest';
import type { PeerId } from '../../src/core/ids';
import { parseMessage, unbatch, type Message } from '../../src/dcm/messages';
import { Outgoing } from '../../src/dcm/outgoing';
import { MessageEncoder } from '../../src/dcm/wire-encode';
import type { Entry } from '../../src/dcm/entries';

const entries = [
  { type: 'term', epoch: 2, leader: 'p1', genesis: 'g' },
  { type: 'emit', epoch: 2, source: 's', seq: 1, molecule: { id: 'm1', reactor: 'r', name: 'job', value: { text: '"entries":0 \\"' } } },
  { type: 'emit', epoch: 2, source: 's', seq: 2, molecule: { id: 'm2', reactor: 'r', name: 'incr', value: undefined } },
  { type: 'commit', epoch: 2, claimId: 'k', holder: 'p2', reaction: 'work', consumed: ['m1'], produced: [], replies: [{ to: 'p3', callId: 'c', value: 1 }] },
] as unknown as Entry[];
const append = (owner: string, es: readonly Entry[]): Message =>
  ({ v: 1, type: 'append', epoch: 2, owner, leader: 'p1', prevIndex: 4, prevEpoch: 2, entries: es, commitIndex: 3, durable: 8, genesis: 'g' }) as unknown as Message;
const claimOf = (): Message => ({ v: 1, type: 'claim', epoch: 2, claimId: 'k', ids: ['m1'] }) as unknown as Message;
const asWire = (m: unknown): unknown => JSON.parse(JSON.stringify(m));
/** What a receiver makes of a transport message: each protocol message in it, checked (entries in either form). */
const received = (raw: unknown): unknown[] => (unbatch(raw) ?? []).map((one) => parseMessage(one));

describe('MessageEncoder: the text of a message, entries encoded once', () => {
  it('is received as JSON.stringify\'s text is, whatever the strings around the entries hold', () => {
    const enc = new MessageEncoder();
    for (const owner of ['o', '"entries":0', ',"entries":0,', '\\', 'x\\",\\"entries\\":0']) {
      for (const es of [entries, entries.slice(1, 3), []]) {
        const m = append(owner, es);
        const got = parseMessage(JSON.parse(enc.encode(m)));
        expect(got).not.toBeNull();
        expect(got).toEqual(parseMessage(asWire(m)));
      }
    }
    const claim = claimOf();
    expect(enc.encode(claim)).toBe(JSON.stringify(claim));
    expect(received(JSON.parse(enc.batch([enc.encode(claim), enc.encode(append('o', entries))])))).toEqual(received(asWire({ v: 1, type: 'batch', messages: [claim, append('o', entries)] })));
  });

  it('reuses the joined text of a run of entries only for the same entry objects', () => {
    const enc = new MessageEncoder();
    const copy = entries.map((e) => ({ ...e })) as unknown as Entry[];
    // Runs sharing their first entry (an append per replica, a longer one, a shorter one), and a run of equal
    // but other objects (a log truncated and refilled): each text is what JSON.stringify gives.
    for (const es of [entries, entries.slice(0, 2), entries, [entries[0] as Entry, ...copy.slice(1)], entries.slice(0, 2), copy, entries]) {
      for (const owner of ['a', 'b']) {
        const m = append(owner, es);
        expect(enc.encode(m)).toBe(new MessageEncoder().encode(m));
        expect(parseMessage(JSON.parse(enc.encode(m)))).toEqual(parseMessage(asWire(m)));
      }
    }
  });

  it('Outgoing sends the same text a value send would carry, one encoding per message per flush', () => {
    const p = (s: string): PeerId => s as PeerId;
    const texts: [PeerId, string][] = [];
    const values: [PeerId, unknown][] = [];
    let flushText = (): void => undefined;
    let flushValue = (): void => undefined;
    const text = new Outgoing(() => false, (fn) => (flushText = fn), (to, json) => (texts.push([to, json]), true));
    const value = new Outgoing((to, m) => (values.push([to, m]), true), (fn) => (flushValue = fn));
    const shared = append('o', entries);
    const claim = claimOf();
    for (const o of [text, value]) {
      o.send(p('a'), shared);
      o.send(p('b'), shared);
      o.send(p('b'), claim);
    }
    flushText();
    flushValue();
    expect(texts.map(([to, t]) => [to, received(JSON.parse(t))])).toEqual(values.map(([to, v]) => [to, received(asWire(v))]));
  });

  it('falls back to a value send when a message cannot be encoded (the link reports why)', () => {
    const values: unknown[] = [];
    let flush = (): void => undefined;
    const o = new Outgoing((_to, m) => (values.push(m), true), (fn) => (flush = fn), () => true);
    const bad = { v: 1, type: 'claim', epoch: 1, claimId: 'k', ids: [1n] } as unknown as Message;
    o.send('a' as PeerId, bad);
    flush();
    expect(values).toEqual([bad]);
  });
});
