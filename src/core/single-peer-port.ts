// A room of one peer: a complete DistributedPort with no network. Claims are granted in-process, a commit
// applies atomically, release returns the copies. It is the machine's default room, and it lets core test
// the distributed code path (claim → body → commit/fence/release) without src/dcm.
import type { ClaimGrant, DistributedCall, DistributedMolecule, DistributedOutput, DistributedPort, ReactorInfo } from './distributed-port';
import { asClaimId, asEpoch, asMoleculeId, asPeerId, type MoleculeId, type PeerId, type ReactorId } from './ids';
import { logger } from './log';

const log = logger('kinetic:core:single-peer-port');

type Listener = (reactor: ReactorId, name: string) => void;

export interface SinglePeerPort extends DistributedPort {
  /**
   * Revoke every outstanding claim, as a lease expiry or a change of authority would: their copies become
   * available again and their commits are fenced (resolve false).
   */
  revokeClaims(): number;
  /** Claims granted and not yet committed or released. */
  outstandingClaims(): readonly ClaimGrant[];
}

export function createSinglePeerPort(self: PeerId = asPeerId('local')): SinglePeerPort {
  /** reactor → name → id → copy, in emission order (Map keeps insertion order). */
  const room = new Map<ReactorId, Map<string, Map<MoleculeId, DistributedMolecule>>>();
  const index = new Map<MoleculeId, DistributedMolecule>();
  const claimedBy = new Map<MoleculeId, string>();
  const claims = new Map<string, ClaimGrant>();
  const calls = new Map<string, (value: unknown) => void>();
  const listeners = new Set<Listener>();
  const hosted = new Set<ReactorId>();
  let seq = 0;

  const copiesOf = (reactor: ReactorId, name: string): Map<MoleculeId, DistributedMolecule> => {
    let byName = room.get(reactor);
    if (!byName) room.set(reactor, (byName = new Map()));
    let copies = byName.get(name);
    if (!copies) byName.set(name, (copies = new Map()));
    return copies;
  };
  // Notify asynchronously, as a networked room would: a listener never runs inside the caller's emit.
  const notify = (reactor: ReactorId, name: string): void => {
    queueMicrotask(() => {
      for (const l of listeners) l(reactor, name);
    });
  };
  const add = (reactor: ReactorId, name: string, value: unknown): void => {
    const id = asMoleculeId(`${self}:${++seq}`);
    const dm: DistributedMolecule = { id, reactor, name, value };
    copiesOf(reactor, name).set(id, dm);
    index.set(id, dm);
    notify(reactor, name);
  };
  const find = (id: MoleculeId): DistributedMolecule | undefined => index.get(id);
  const unclaim = (grant: ClaimGrant): void => {
    claims.delete(grant.claimId);
    for (const id of grant.ids) {
      if (claimedBy.get(id) !== grant.claimId) continue;
      claimedBy.delete(id);
      const dm = find(id);
      if (dm) notify(dm.reactor, dm.name);
    }
  };

  return {
    self,
    host(info: ReactorInfo) {
      hosted.add(info.id);
    },
    unhost(reactor) {
      hosted.delete(reactor);
      for (const grant of [...claims.values()]) if (grant.reactor === reactor) unclaim(grant);
    },
    emit: add,
    call(reactor, name, arg) {
      const callId = `${self}:call:${++seq}`;
      const value: DistributedCall = { arg, replyTo: self, callId };
      return new Promise((resolve) => {
        calls.set(callId, resolve);
        add(reactor, name, value);
      });
    },
    *available(reactor, name) {
      const copies = room.get(reactor)?.get(name);
      if (!copies) return;
      for (const [id, dm] of copies) if (!claimedBy.has(id)) yield dm;
    },
    async claim(reactor, reaction, ids) {
      await Promise.resolve(); // a claim is a round trip in a real room; keep callers honest about asynchrony
      if (!hosted.has(reactor) || new Set(ids).size !== ids.length) return null;
      for (const id of ids) if (claimedBy.has(id) || find(id)?.reactor !== reactor) return null;
      const grant: ClaimGrant = { claimId: asClaimId(`${self}:claim:${++seq}`), reactor, reaction, ids: [...ids], epoch: asEpoch(1) };
      claims.set(grant.claimId, grant);
      for (const id of ids) claimedBy.set(id, grant.claimId);
      return grant;
    },
    async commit(grant, outputs: readonly DistributedOutput[]) {
      await Promise.resolve();
      if (!claims.has(grant.claimId)) return false; // revoked or released: fenced
      claims.delete(grant.claimId);
      for (const id of grant.ids) {
        claimedBy.delete(id);
        const dm = find(id);
        if (dm) room.get(dm.reactor)?.get(dm.name)?.delete(id);
        index.delete(id);
      }
      for (const o of outputs) {
        if (o.kind === 'molecule') add(o.reactor, o.name, o.value);
        else if (o.to === self) {
          const resolve = calls.get(o.callId);
          calls.delete(o.callId);
          resolve?.(o.value);
        } else log('reply addressed to another peer in a room of one', o.to);
      }
      return true;
    },
    release(grant) {
      if (claims.has(grant.claimId)) unclaim(grant);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    revokeClaims() {
      const all = [...claims.values()];
      for (const grant of all) unclaim(grant);
      return all.length;
    },
    outstandingClaims: () => [...claims.values()],
  };
}
