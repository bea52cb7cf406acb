// The room port's hand-written checks: every well-formed message of each direction passes as it is, and
// each malformed one (wrong version, unknown type, a field missing or of the wrong type) is refused.
import { describe, expect, it } from 'vitest';
import { batchingPoster, parseToMain, parseToWorker, unbatch, type PortLike } from '../../src/mesh/port/port-protocol';

const toWorker = [
  { v: 1, type: 'peers', peers: ['a', 'b'] },
  { v: 1, type: 'peer-candidate', peerId: 'a' },
  { v: 1, type: 'peer-connected', peerId: 'a' },
  { v: 1, type: 'peer-disconnected', peerId: 'a', reason: 'gone' },
  { v: 1, type: 'message', from: 'a', message: { any: ['json', 1] } },
  { v: 1, type: 'message', from: 'a', message: null },
  { v: 1, type: 'error', message: 'oops' },
  { v: 1, type: 'done', id: 3, error: null },
  { v: 1, type: 'done', id: 3, error: 'failed' },
  { v: 1, type: 'lease', holder: null, epoch: 2, ttlMs: 500 },
  { v: 1, type: 'lease', holder: 'a', epoch: 2, ttlMs: 500 },
  { v: 1, type: 'online', online: false },
  { v: 1, type: 'record', seen: false, genesis: null },
  { v: 1, type: 'record', seen: true, genesis: 'gA' },
];

const toMain = [
  { v: 1, type: 'connect', id: 1 },
  { v: 1, type: 'disconnect', id: 2 },
  { v: 1, type: 'send', to: 'b', message: [1, 2] },
  { v: 1, type: 'lease-request', minEpoch: 4 },
  { v: 1, type: 'lease-release' },
  { v: 1, type: 'refused', from: 'c' },
  { v: 1, type: 'history', genesis: 'gA', started: true },
];

describe('room port protocol', () => {
  it('passes every well-formed message unchanged', () => {
    for (const m of toWorker) expect(parseToWorker(m)).toBe(m);
    for (const m of toMain) expect(parseToMain(m)).toBe(m);
  });

  it('refuses malformed messages', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'message',
      42,
      [],
      [{ v: 1, type: 'lease-release' }],
      { type: 'send', to: 'b', message: 1 },
      { v: 2, type: 'lease-release' },
      { v: 1, type: 'nope' },
      { v: 1 },
      { v: 1, type: 'record', seen: 'yes', genesis: null },
      { v: 1, type: 'record', seen: true },
      { v: 1, type: 'history', genesis: 7, started: false },
      { v: 1, type: 'history', genesis: 'g' },
    ];
    for (const m of bad) {
      expect(parseToWorker(m)).toBeNull();
      expect(parseToMain(m)).toBeNull();
    }
    const badToWorker: unknown[] = [
      { v: 1, type: 'peers', peers: ['a', 3] },
      { v: 1, type: 'peers' },
      { v: 1, type: 'peer-connected' },
      { v: 1, type: 'peer-disconnected', peerId: 'a' },
      { v: 1, type: 'message', from: 42, message: 1 },
      { v: 1, type: 'message', from: 'a' },
      { v: 1, type: 'error', message: 1 },
      { v: 1, type: 'done', id: '3', error: null },
      { v: 1, type: 'done', id: Number.NaN, error: null },
      { v: 1, type: 'done', id: 3 },
      { v: 1, type: 'lease', holder: 5, epoch: 2, ttlMs: 500 },
      { v: 1, type: 'lease', holder: null, epoch: 2 },
      { v: 1, type: 'online', online: 'yes' },
      // a worker → main message is not a main → worker one
      { v: 1, type: 'send', to: 'b', message: 1 },
    ];
    for (const m of badToWorker) expect(parseToWorker(m), JSON.stringify(m)).toBeNull();
    const badToMain: unknown[] = [
      { v: 1, type: 'connect' },
      { v: 1, type: 'disconnect', id: 'x' },
      { v: 1, type: 'send', message: 1 },
      { v: 1, type: 'send', to: 'b' },
      { v: 1, type: 'lease-request' },
      { v: 1, type: 'refused', from: null },
      { v: 1, type: 'message', from: 'a', message: 1 },
    ];
    for (const m of badToMain) expect(parseToMain(m), JSON.stringify(m)).toBeNull();
  });

  it('sends the messages of one turn as one batch, a lone one as itself, and a batch that cannot be cloned message by message', async () => {
    const posted: unknown[] = [];
    const port: PortLike = {
      postMessage: (m) => {
        structuredClone(m); // throws as a real port would on what cannot be cloned
        posted.push(m);
      },
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    };
    const errors: unknown[] = [];
    const post = batchingPoster(port, (e) => errors.push(e));
    const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
    post(toMain[0] as object);
    post(toMain[2] as object);
    post(toMain[3] as object);
    expect(posted).toEqual([]); // nothing leaves before the turn ends
    await turn();
    expect(posted).toEqual([{ v: 1, type: 'batch', items: [toMain[0], toMain[2], toMain[3]] }]);
    expect(unbatch(posted[0]).map(parseToMain)).toEqual([toMain[0], toMain[2], toMain[3]]);
    post(toMain[4] as object);
    await turn();
    expect(posted[1]).toEqual(toMain[4]);
    expect(unbatch(posted[1])).toEqual([toMain[4]]);
    post(toMain[1] as object);
    post({ v: 1, type: 'send', to: 'b', message: () => 1 }); // not cloneable
    post(toMain[5] as object);
    await turn();
    expect(posted.slice(2)).toEqual([toMain[1], toMain[5]]);
    expect(errors).toHaveLength(1);
  });
});
