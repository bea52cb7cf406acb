// The room port's hand-written checks: every well-formed message of each direction passes as it is, and
// each malformed one (wrong version, unknown type, a field missing or of the wrong type) is refused.
import { describe, expect, it } from 'vitest';
import { parseToMain, parseToWorker } from '../../src/mesh/port/port-protocol';

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
});
