// Affinity: fresh copies spread over hosts by rendezvous hashing (an emission whose emitter hosts the reactor
// stays with its emitter); a lone copy (the contended case) goes to
// the sequencer when it hosts the reactor, else to one stable host, and others wait longer for it.
import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../src/core/clock';
import type { DistributedMolecule } from '../../src/core/distributed-port';
import { asMoleculeId, asPeerId, asReactorId, type ClaimId, type Epoch, type MoleculeId, type PeerId, type ReactorId } from '../../src/core/ids';
import { Affinity } from '../../src/dcm/affinity';
import type { Entry } from '../../src/dcm/entries';
import { emittedMoleculeId, newSource } from '../../src/dcm/ids';
import { Replica } from '../../src/dcm/replica';

function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; done: boolean }> = [];
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn, done: false };
      timers.push(t);
      return t as unknown as TimerHandle;
    },
    clearTimeout: (h) => {
      (h as unknown as { done: boolean }).done = true;
    },
    advance(ms) {
      now += ms;
      for (const t of timers) {
        if (t.done || t.at > now) continue;
        t.done = true;
        t.fn();
      }
    },
  };
}

const hosts = ['a', 'b', 'c', 'd'].map(asPeerId);
const reactor = asReactorId('r');
const ids = Array.from({ length: 40 }, (_, i) => asMoleculeId(`x:${i}`));

function affinity(self: PeerId, leader: PeerId | null, alone: boolean, clock: Clock = manualClock()): Affinity {
  return new Affinity({ self, clock, hosts: () => hosts, graceMs: 100, leader: () => leader, alone: () => alone, onOpen: () => undefined });
}

describe('affinity', () => {
  it('spreads many copies over the hosts', () => {
    const a = affinity(asPeerId('a'), asPeerId('b'), false);
    const chosen = new Set(ids.map((id) => a.preferred(id, reactor)));
    expect(chosen.size).toBeGreaterThan(2);
  });

  it('sends a lone copy to the sequencer when it hosts the reactor, else to one stable host', () => {
    const clock = manualClock();
    const a = affinity(asPeerId('a'), asPeerId('b'), true, clock);
    for (const id of ids.slice(0, 5)) a.appeared(id, reactor, 'count');
    expect(ids.slice(0, 5).map((id) => a.open(id))).toEqual([false, false, false, false, false]);
    const b = affinity(asPeerId('b'), asPeerId('b'), true);
    b.appeared(ids[0]!, reactor, 'count');
    expect(b.open(ids[0]!)).toBe(true);
    // A sequencer that does not host the reactor: every peer agrees on one host for the lone copy.
    const open = hosts.map((h) => {
      const x = affinity(h, asPeerId('z'), true);
      for (const id of ids.slice(0, 5)) x.appeared(id, reactor, 'count');
      return ids.slice(0, 5).every((id) => x.open(id));
    });
    expect(open.filter(Boolean).length).toBe(1);
  });

  it('a backup host may take a lone copy after four grace periods, the others after eight', () => {
    const waits = hosts
      .filter((h) => h !== 'b')
      .map((h) => {
        const clock = manualClock();
        const x = affinity(h, asPeerId('b'), true, clock);
        x.appeared(ids[0]!, reactor, 'count');
        for (let t = 1; t <= 1000; t++) {
          clock.advance(1);
          if (x.open(ids[0]!)) return t;
        }
        return Infinity;
      });
    expect(waits.sort((p, q) => p - q)).toEqual([400, 800, 800]);
  });

  it('a hold ends only after the input that arrived meanwhile (deferred past it): a copy consumed there is never opened', () => {
    const clock = manualClock();
    const deferred: (() => void)[] = [];
    const opened: string[] = [];
    const x = new Affinity({ self: asPeerId('a'), clock, hosts: () => hosts, graceMs: 100, leader: () => asPeerId('b'), alone: () => true, onOpen: (_, name) => opened.push(name), defer: (fn) => deferred.push(fn) });
    x.appeared(ids[0]!, reactor, 'count');
    x.appeared(ids[1]!, reactor, 'count');
    clock.advance(800);
    // The timer fired, but the hold stands until the deferred end runs; meanwhile the log consumed one copy.
    expect(x.open(ids[0]!)).toBe(false);
    x.gone(ids[0]!);
    for (const f of deferred.splice(0)) f();
    expect(x.open(ids[1]!)).toBe(true);
    expect(opened).toEqual(['count']);
  });

  it("an emitter that hosts the reactor is the preferred host of its own emissions, lone or not; others hold them", () => {
    const emitted = Array.from({ length: 20 }, (_, i) => emittedMoleculeId(newSource(asPeerId('c'), () => 0.25), i));
    for (const alone of [false, true]) {
      const c = affinity(asPeerId('c'), asPeerId('b'), alone);
      const a = affinity(asPeerId('a'), asPeerId('b'), alone);
      expect(emitted.every((id) => c.mine(id, reactor, 'job') && c.preferred(id, reactor) === 'c')).toBe(true);
      expect(emitted.some((id) => a.mine(id, reactor, 'job'))).toBe(false);
      for (const id of emitted) a.appeared(id, reactor, 'job');
      expect(emitted.some((id) => a.open(id))).toBe(false);
    }
    // An emitter that does not host the reactor: its copies spread by rendezvous hashing as before.
    const z = emitted.map((_, i) => emittedMoleculeId(newSource(asPeerId('z'), () => 0.5), i));
    expect(new Set(z.map((id) => affinity(asPeerId('a'), null, false).preferred(id, reactor))).size).toBeGreaterThan(2);
  });

  it('holds that end within an eighth of the grace of each other end on one timer', () => {
    const clock = manualClock();
    let timers = 0;
    const counting: Clock = { ...clock, setTimeout: (fn, ms) => (timers++, clock.setTimeout(fn, ms)) };
    const opened: string[] = [];
    const x = new Affinity({ self: asPeerId('z'), clock: counting, hosts: () => hosts, graceMs: 100, onOpen: (_, name) => opened.push(name), defer: (fn) => fn() });
    for (let i = 0; i < 40; i++) {
      x.appeared(ids[i]!, reactor, 'job');
      clock.advance(1);
    }
    for (let t = 0; t < 120; t++) clock.advance(1);
    expect(ids.every((id) => x.open(id))).toBe(true);
    expect(timers).toBeLessThanOrEqual(5);
    // None opened before its grace ended by more than the slack.
    const y = new Affinity({ self: asPeerId('z'), clock, hosts: () => hosts, graceMs: 100, onOpen: () => undefined, defer: (fn) => fn() });
    y.appeared(ids[0]!, reactor, 'job');
    clock.advance(50);
    y.appeared(ids[1]!, reactor, 'job');
    clock.advance(50);
    expect([y.open(ids[0]!), y.open(ids[1]!)]).toEqual([true, false]);
    clock.advance(50);
    expect(y.open(ids[1]!)).toBe(true);
  });

  it('a replica calls a copy alone only when exactly one is available, committed or in the tail', () => {
    const r = new Replica();
    const reactor = 'r' as ReactorId;
    const m = (i: number): DistributedMolecule => ({ id: `c${i}` as MoleculeId, reactor, name: 'count', value: i });
    const emit = (i: number): Entry => ({ type: 'emit', epoch: 1 as Epoch, source: 's', seq: i, molecule: m(i) });
    const commit = (consumed: number[], produced: number[]): Entry => ({
      type: 'commit',
      epoch: 1 as Epoch,
      claimId: `k${consumed.join()}` as ClaimId,
      holder: 'p' as PeerId,
      reaction: 'incr',
      consumed: consumed.map((i) => `c${i}` as MoleculeId),
      produced: produced.map(m),
      replies: [],
    });
    expect(r.alone(reactor, 'count')).toBe(false);
    r.appendTail(1, emit(1));
    expect(r.alone(reactor, 'count')).toBe(true); // one in the tail
    r.commitNext(1, emit(1));
    expect(r.alone(reactor, 'count')).toBe(true); // one committed
    r.appendTail(2, emit(2));
    expect(r.alone(reactor, 'count')).toBe(false); // one committed, one in the tail
    r.appendTail(3, commit([1], [])); // the tail consumes the committed one
    expect(r.alone(reactor, 'count')).toBe(true);
    r.appendTail(4, commit([2], [5, 6]));
    expect(r.alone(reactor, 'count')).toBe(false);
    expect(r.alone(reactor, 'other')).toBe(false);
  });
});
