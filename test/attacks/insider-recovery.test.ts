// A new sequencer's recovery is offered a log position ahead of everyone's, then a crafted or broken log when
// it fetches that position (issue 16: "crafted fetched payloads that poison a new sequencer").
//
// Was open: the candidate adopted the most advanced position any peer claimed and fetched it from whoever
// claimed it — a key holder outside the configuration planted an emit under p2's identity that every replica
// applied — and a fetched log that did not parse kept it fetching from the attacker forever. Fixed in
// src/dcm/recovery.ts: positions count only from members of a configuration the candidate knows; a fetched
// log must reach the claimed position and be shaped like an honest log (src/dcm/fetched-check.ts); a
// promiser that fails that, or never delivers, is passed over and the majority forms without it.
//
// A member lying with a well-formed invented log is out of scope (docs/security.md, "A member that lies in
// recovery"): without Byzantine quorums nothing can tell its log from a real one.
import { describe, expect, it } from 'vitest';
import { asEpoch, asMoleculeId, asReactorId } from '../../src/core/ids';
import type { Entry } from '../../src/dcm/entries';
import type { Message } from '../../src/dcm/messages';
import { attackWorld, consumeOne, roles, type Honest } from './harness';

const reactor = asReactorId('r');
const SETTLE = { afterEmitMs: 1000, afterCommitMs: 1000 };
const planted = (epoch: number): Entry => ({ type: 'emit', epoch: asEpoch(epoch), source: 'p2~forged', seq: 1, molecule: { id: asMoleculeId('p2~forged:1'), reactor, name: 'planted', value: 'by x' } });

describe('attack: a crafted log offered to a recovering sequencer', () => {
  it('a non-member cannot make a new sequencer adopt entries nobody appended', async () => {
    const w = attackWorld(51);
    const peers = ['p1', 'p2', 'p3'].map((n) => w.honest(n));
    for (const p of peers) {
      await p.room.start();
      await p.transport.connect();
    }
    const x = w.raw('x');
    const log = new Map<number, Entry>();
    let armed = false;
    let fetchedFromX = 0;
    x.transport.on('message', ({ from, message }) => {
      const m = message as { type?: string; messages?: Record<string, unknown>[] };
      for (const one of (m.type === 'batch' ? (m.messages ?? []) : [m]) as Record<string, unknown>[]) {
        if (one['type'] === 'append') (one['entries'] as Entry[]).forEach((e, k) => log.set((one['prevIndex'] as number) + 1 + k, e));
        if (one['type'] === 'recover' && armed) {
          const last = Math.max(0, ...log.keys());
          x.send(from, { v: 1, type: 'promise', epoch: one['epoch'], ok: true, lastIndex: last + 1, lastEpoch: (one['epoch'] as number) - 1, commitIndex: 0, base: 0, members: ['p1', 'p2', 'p3'] });
        }
        if (one['type'] === 'fetch' && armed) {
          fetchedFromX++;
          const last = Math.max(0, ...log.keys());
          const entries: Entry[] = [];
          for (let i = 1; i <= last; i++) entries.push(log.get(i) as Entry);
          x.send(from, { v: 1, type: 'fetched', epoch: one['epoch'], snapshot: null, prevIndex: 0, prevEpoch: 0, entries: [...entries, planted((one['epoch'] as number) - 1)] });
        }
      }
    });
    await w.run(1500);
    expect(log.size).toBeGreaterThan(0); // the attacker is linked and hears the log
    armed = true;
    const { sequencer } = roles(peers);
    sequencer.alive = false;
    sequencer.transport.crash();
    await w.run(4000);
    const rest = peers.filter((q) => q !== sequencer);
    expect(fetchedFromX).toBe(0); // its position never counted: nobody asked it for its log
    expect(rest.some((p) => p.room.status().role === 'sequencer')).toBe(true);
    expect(await consumeOne(w, rest[0] as Honest, reactor, 1, SETTLE)).toBe(true);
    for (const p of rest) expect(p.room.peek(reactor, 'planted')).toEqual([]);
  });

  // A member (honest code, hostile link) claims a position three entries ahead in its promise and then answers
  // the fetch with `answer`. The candidate must pass it over and recover from the other members.
  async function lyingMember(
    seed: number,
    answer: (fetched: Message & { type: 'fetched' }) => unknown,
    size = 5,
  ): Promise<{ rest: Honest[]; liar: Honest; sequencer: Honest; w: ReturnType<typeof attackWorld>; refused: number; lies: () => number }> {
    const w = attackWorld(seed);
    // The liar (the last peer) never asks for the lease: it must answer a candidate's recovery, not run one.
    const names = Array.from({ length: size }, (_, i) => `p${i + 1}`);
    const peers = names.map((n, i) => w.honest(n, undefined, undefined, i < size - 1));
    for (const p of peers) {
      await p.room.start();
      await p.transport.connect();
    }
    await w.run(2500);
    const { sequencer } = roles(peers);
    const liar = peers[size - 1] as Honest;
    expect(liar.room.status().members).toContain(liar.id);
    const send = liar.transport.send.bind(liar.transport);
    let lies = 0;
    const lie = (m: Message): unknown => {
      if (m.type === 'promise' && m.ok) return { ...m, lastIndex: m.lastIndex + 3 };
      if (m.type === 'fetched') return lies++, answer(m);
      return m;
    };
    liar.transport.send = (to, message) => {
      const m = message as unknown as { type: string; messages?: Message[] };
      const out = m.type === 'batch' ? { ...m, messages: (m.messages ?? []).map(lie) } : lie(message as unknown as Message);
      return send(to, out as never);
    };
    // The honest members' promises travel slower than the liar's, so its position is among the first the
    // candidate hears (otherwise a majority may be complete before it, and the candidate never fetches it).
    for (const p of peers.filter((q) => q !== liar)) {
      const inner = p.transport.send.bind(p.transport);
      p.transport.send = (to, message) => {
        const m = message as unknown as { type: string; messages?: { type: string }[] };
        if (![m, ...(m.messages ?? [])].some((one) => one.type === 'promise')) return inner(to, message);
        w.clock.setTimeout(() => void inner(to, message), 200);
        return true;
      };
    }
    sequencer.alive = false;
    sequencer.transport.crash();
    await w.run(6000);
    const rest = peers.filter((q) => q !== sequencer && q !== liar);
    const refused = rest.reduce((n, p) => n + p.room.status().invalidMessages, 0);
    return { rest, liar, sequencer, w, refused, lies: () => lies };
  }

  it('a member whose fetched log does not parse is passed over: the candidate recovers from the others (no stall)', async () => {
    const { rest, w, lies } = await lyingMember(52, (m) => ({ ...m, entries: [{ type: 'nonsense' }] }));
    expect(lies()).toBe(4); // fetched (and answered with garbage) four times, then passed over
    expect(rest.some((p) => p.room.status().role === 'sequencer')).toBe(true);
    expect(await consumeOne(w, rest[0] as Honest, reactor, 2, SETTLE)).toBe(true);
  });

  it('when the liar is needed for a majority, the candidate gives its terms back rather than adopt or wait on it; the room recovers once the crashed member returns', async () => {
    // Three members: the sequencer crashes, so the candidate needs the liar's promise, and its log never parses.
    const { rest, sequencer, w, lies } = await lyingMember(56, (m) => ({ ...m, entries: [{ type: 'nonsense' }] }), 3);
    const [candidate] = rest as [Honest];
    expect(lies()).toBeGreaterThanOrEqual(4); // passed over after four fetches (asked again in each new term)
    expect(candidate.room.status().role).not.toBe('sequencer');
    // Terms given back and asked for again: they climb slowly (one per few resend periods), nothing wedges.
    expect(candidate.room.status().epoch).toBeGreaterThan(2);
    expect(candidate.room.status().epoch).toBeLessThan(40);
    // The crashed sequencer comes back (its store intact): a majority without the liar exists again.
    const back = w.honest(sequencer.id, sequencer.backing);
    await back.room.start();
    await back.transport.connect();
    await w.run(6000);
    expect([candidate, back].some((p) => p.room.status().role === 'sequencer')).toBe(true);
    expect(await consumeOne(w, candidate, reactor, 5, SETTLE)).toBe(true);
  });

  it('a member whose log falls short of the position it promised, or plants a malformed entry, is passed over', async () => {
    const short = await lyingMember(53, (m) => m); // its real log: three entries short of what it claimed
    expect(short.lies()).toBeGreaterThan(0);
    expect(short.refused).toBeGreaterThan(0);
    expect(short.rest.some((p) => p.room.status().role === 'sequencer')).toBe(true);
    expect(await consumeOne(short.w, short.rest[0] as Honest, reactor, 3, SETTLE)).toBe(true);

    // The claimed position reached, but with an emit whose copy id does not name its source and seq.
    const bad = await lyingMember(54, (m) => ({ ...m, entries: [...m.entries, { ...planted(m.entries.at(-1)?.epoch ?? 1), molecule: { id: 'p4~other:9', reactor, name: 'planted', value: 1 } }] }));
    expect(bad.lies()).toBeGreaterThan(0);
    expect(bad.refused).toBeGreaterThan(0);
    expect(bad.rest.some((p) => p.room.status().role === 'sequencer')).toBe(true);
    expect(await consumeOne(bad.w, bad.rest[0] as Honest, reactor, 4, SETTLE)).toBe(true);
    for (const p of bad.rest) expect(p.room.peek(reactor, 'planted')).toEqual([]);
  });
});
