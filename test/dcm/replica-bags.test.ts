// The replica keeps the copies of its committed state and of its uncommitted tail in one bag per name
// (replica.ts): whatever the order of appends, commits, truncations and holds, what it offers must be what
// a plain model of "committed + added by the tail − consumed by the tail" says.
import { describe, expect, it } from 'vitest';
import type { DistributedMolecule } from '../../src/core/distributed-port';
import { asMoleculeId, asReactorId, type ClaimId, type Epoch, type MoleculeId, type PeerId } from '../../src/core/ids';
import type { Preference } from '../../src/dcm/copy-bag';
import type { Entry } from '../../src/dcm/entries';
import { Replica } from '../../src/dcm/replica';

const R = asReactorId('r');
const E = 1 as Epoch;
const sorted = (it: Iterable<DistributedMolecule>): string[] => [...it].map((m) => m.id).sort();

describe('Replica: one bag for the committed state and the tail', () => {
  it('offers exactly the available copies, open or held, under appends, commits, truncations and holds', () => {
    let seed = 3;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: readonly T[]): T | undefined => xs[Math.floor(rnd() * xs.length)];
    const replica = new Replica();
    const preference: Preference = { stamp: () => 1, mine: (m) => (m.value as number) % 3 === 0 };
    // The model: the log (committed prefix + tail) and the holds. A hold lives in the copy's record, so it ends
    // when the record does: the copy consumed by an applied commit, or a tail copy cut and appended again.
    const log: Entry[] = [];
    let applied = 0;
    const held = new Map<MoleculeId, number>();
    let nextHold = 1;
    let nextSeq = 1; // a source numbers its emissions from 1
    let nextClaim = 0;
    const stateAfter = (n: number): Map<MoleculeId, DistributedMolecule> => {
      const s = new Map<MoleculeId, DistributedMolecule>();
      for (const e of log.slice(0, n)) {
        if (e.type === 'emit') s.set(e.molecule.id, e.molecule);
        else if (e.type === 'commit') {
          for (const id of e.consumed) s.delete(id);
          for (const m of e.produced) s.set(m.id, m);
        }
      }
      return s;
    };
    for (let step = 0; step < 3000; step++) {
      const op = rnd();
      const available = [...stateAfter(log.length).keys()];
      if (op < 0.3) {
        const seq = nextSeq++;
        const molecule = { id: asMoleculeId(`s:${seq}`), reactor: R, name: 'job', value: seq };
        log.push({ type: 'emit', epoch: E, source: 's', seq, molecule });
        replica.appendTail(log.length, log[log.length - 1] as Entry);
      } else if (op < 0.5 && available.length > 0) {
        const claimId = `c${nextClaim++}` as ClaimId;
        const consumed = [...new Set([pick(available), pick(available)])].filter((x): x is MoleculeId => x !== undefined);
        const produced = rnd() < 0.5 ? [{ id: asMoleculeId(`${claimId}.0`), reactor: R, name: 'job', value: 1000 + nextClaim }] : [];
        log.push({ type: 'commit', epoch: E, claimId, holder: 'p' as PeerId, reaction: 'work', consumed, produced, replies: [] });
        replica.appendTail(log.length, log[log.length - 1] as Entry);
      } else if (op < 0.75 && applied < log.length) {
        applied++;
        const e = log[applied - 1] as Entry;
        replica.commitNext(applied, e);
        if (e.type === 'commit') for (const id of e.consumed) held.delete(id);
      } else if (op < 0.8 && applied < log.length) {
        // A new sequencer cut the tail back somewhere after the committed prefix.
        log.length = applied + Math.floor(rnd() * (log.length - applied));
        replica.rebuildTail(log.slice(applied).map((e, i) => [applied + 1 + i, e] as const));
        const committed = stateAfter(applied);
        for (const id of [...held.keys()]) if (!committed.has(id)) held.delete(id);
      } else {
        const id = pick(available);
        if (id !== undefined) {
          if (rnd() < 0.5) {
            const until = nextHold++;
            expect(replica.hold(id, until)).toBe(true);
            held.set(id, until);
          } else {
            const until = held.get(id);
            expect(replica.release(id, until === undefined ? -1 : until + 1)).toBe(false); // another hold's end
            expect(replica.release(id, until ?? -1)).toBe(until !== undefined);
            held.delete(id);
          }
          expect(replica.isHeld(id)).toBe(held.has(id));
        }
      }
      const now = stateAfter(log.length);
      const committed = stateAfter(applied);
      const ids = [...now.keys()];
      const open = ids.filter((id) => !held.has(id)).sort();
      expect(sorted(replica.copies(R, 'job'))).toEqual([...ids].sort());
      const offered = [...replica.openCopies(R, 'job', rnd(), preference)];
      expect(sorted(offered)).toEqual(open);
      const own = offered.filter((m) => preference.mine(m)).length;
      expect(offered.slice(0, own).every((m) => preference.mine(m))).toBe(true);
      expect(sorted(replica.heldCopies(R, 'job', rnd()))).toEqual(ids.filter((id) => held.has(id)).sort());
      expect(sorted(replica.committed(R, 'job'))).toEqual([...committed.keys()].sort());
      expect(replica.alone(R, 'job')).toBe(ids.length === 1);
      for (const id of ids) expect(replica.get(id)?.value).toEqual(now.get(id)?.value);
    }
  });
});
