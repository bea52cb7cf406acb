// Attacks by a key holder running modified code on other peers' claims and commits (issue 16, insiders).
// The attacker is a raw transport in the room: it reads what the sequencer replicates and sends whatever
// it likes; everything it sends arrives stamped with its own peer id (the link authenticates the sender).
import { describe, expect, it } from 'vitest';
import { asMoleculeId, asReactorId } from '../../src/core/ids';
import { room3, type attackWorld, type Honest } from './harness';

const reactor = asReactorId('r');

function claimIdsIn(heard: readonly { message: Record<string, unknown> }[]): string[] {
  const out: string[] = [];
  for (const h of heard) {
    if (h.message.type !== 'append') continue;
    for (const e of (h.message['entries'] as { type: string; claimId?: string }[]) ?? []) if (e.type === 'commit' && e.claimId) out.push(e.claimId);
  }
  return out;
}

/** `p2:abc:c7` → ['p2:abc:', 7]. */
function splitClaimId(claimId: string): [string, number] {
  const m = /^(.*:)c(\d+)$/.exec(claimId);
  if (!m) throw new Error(`not a claim id: ${claimId}`);
  return [m[1] as string, Number(m[2])];
}

async function oneCopy(w: ReturnType<typeof attackWorld>, by: Honest, value: unknown): Promise<string> {
  by.room.emit(reactor, 'm', value);
  await w.run(300);
  const copy = by.room.peek(reactor, 'm').find((m) => m.value === value);
  if (!copy) throw new Error('emission not applied');
  return copy.id;
}

describe('attack: another peer\'s claims', () => {
  it('a commit forged under another peer\'s (predictable) claim ids does not fence that peer\'s real commits', async () => {
    const { w, sequencer, replicas, x } = await room3(11);
    const victim = replicas[0] as Honest;
    // Claim ids are `<peer>:<incarnation>:c<n>`: one committed reaction shows the victim's prefix and counter
    // to everyone who reads the log.
    const first = await oneCopy(w, victim, 1);
    const g0 = await victim.room.claim(reactor, 'take', [asMoleculeId(first)]);
    const c0 = victim.room.commit(g0!, []);
    await w.run(300);
    expect(await c0).toBe(true);
    const seen = claimIdsIn(x.heard).find((c) => c.startsWith(`${victim.id}:`));
    expect(seen).toBeDefined();
    const [prefix, n0] = splitClaimId(seen as string);
    const epoch = sequencer.room.status().epoch;
    for (let n = n0 + 1; n < n0 + 40; n++) {
      x.send(sequencer.id, { v: 1, type: 'commit', epoch, claimId: `${prefix}c${n}`, reaction: 'evil', consumed: [], produced: [], replies: [] });
    }
    await w.run(50);
    const id = await oneCopy(w, victim, 2);
    const grant = await victim.room.claim(reactor, 'take', [asMoleculeId(id)]);
    expect(grant).not.toBeNull();
    const committed = victim.room.commit(grant!, []);
    await w.run(500);
    expect(await committed).toBe(true);
    expect(victim.room.peek(reactor, 'm')).toHaveLength(0);
  });

  it('a claim squatting another peer\'s next claim id does not refuse that peer\'s claim', async () => {
    const { w, sequencer, peers, x } = await room3(12);
    const id = await oneCopy(w, sequencer, 2);
    const other = await oneCopy(w, sequencer, 3);
    const warm = await oneCopy(w, sequencer, 9);
    const g0 = await sequencer.room.claim(reactor, 'take', [asMoleculeId(warm)]);
    const c0 = sequencer.room.commit(g0!, []);
    await w.run(300);
    expect(await c0).toBe(true);
    const [prefix, n0] = splitClaimId(claimIdsIn(x.heard).find((c) => c.startsWith(`${sequencer.id}:`)) as string);
    const epoch = sequencer.room.status().epoch;
    // The squatter claims the victim's next ids for a different copy, so the victim's claim with that id
    // finds it taken.
    for (let n = n0 + 1; n < n0 + 40; n++) x.send(sequencer.id, { v: 1, type: 'claim', epoch, claimId: `${prefix}c${n}`, ids: [other] });
    await w.run(50);
    const grant = await sequencer.room.claim(reactor, 'take', [asMoleculeId(id)]);
    expect(grant).not.toBeNull();
    const committed = sequencer.room.commit(grant!, []);
    await w.run(500);
    expect(await committed).toBe(true);
    for (const p of peers) expect(p.room.peek(reactor, 'm').map((m) => m.value)).toEqual([3]);
  });
});
