// Every id format of the distributed room is built in src/dcm/ids.ts; the one read back (an emitted copy's
// source and sequence number) must round-trip, and no other id may be mistaken for it.
import { describe, expect, it } from 'vitest';
import { asMoleculeId, asPeerId } from '../../src/core/ids';
import { ballotOwner, emissionOf, emitterLength, emittedMoleculeId, newSource, producedMoleculeId, RequestIds } from '../../src/dcm/ids';

describe('dcm ids', () => {
  it("an emitted copy's id gives back its source and sequence number", () => {
    const source = newSource(asPeerId('peer:with:colons'), () => 0.5);
    for (const seq of [0, 1, 41, Number.MAX_SAFE_INTEGER]) expect(emissionOf(emittedMoleculeId(source, seq))).toEqual({ source, seq });
  });

  it('produced copies, claims and malformed ids are not emissions', () => {
    const ids = new RequestIds(asPeerId('p'), 'boot');
    const claim = ids.claim();
    expect(emissionOf(producedMoleculeId(claim, 0))).toBeNull();
    for (const bad of ['', ':1', 'src:', 'src:-1', 'src:1.5', 'src:x', 'no-colon']) expect(emissionOf(asMoleculeId(bad)), bad).toBeNull();
  });

  it("an emitted copy's id names its emitting peer (affinity reads it); a produced copy's names none", () => {
    for (const peer of ['p', 'peer:with:colons', 'tilde~in~peer']) {
      const id = emittedMoleculeId(newSource(asPeerId(peer), () => 0.5), 7);
      expect(emitterLength(id)).toBe(peer.length);
    }
    const claim = new RequestIds(asPeerId('p~x'), 'boot').claim();
    expect(emitterLength(producedMoleculeId(claim, 0))).toBe(-1);
    for (const bad of ['', ':1', 'src:x', 'no-colon']) expect(emitterLength(asMoleculeId(bad)), bad).toBeLessThanOrEqual(0);
  });

  it('claim and call ids of one process never repeat, and differ between incarnations', () => {
    const a = new RequestIds(asPeerId('p'), 'b1');
    const b = new RequestIds(asPeerId('p'), 'b2');
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) for (const id of [a.claim(), a.call(), b.claim(), b.call()]) seen.add(id);
    expect(seen.size).toBe(400);
    expect(ballotOwner(asPeerId('p'), 'b1')).not.toBe(ballotOwner(asPeerId('p'), 'b2'));
  });
});
