// Reactions with long bodies (src/core/claim-ahead.ts): the next copy is claimed while a body runs, a claim
// refused while it waits for a body slot runs no body, and the commit window does not idle them.
import { describe, expect, it } from 'vitest';
import { createMachine, createSinglePeerPort, reactor, type Machine } from '../../src/core';
import type { ClaimGrant, DistributedPort } from '../../src/core/distributed-port';

const valuesOf = (m: Machine, name: string): readonly unknown[] => m.molecules().find((x) => x.name === name)?.values ?? [];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const until = async (done: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 400 && !done(); i++) await sleep(10);
  expect(done(), what).toBe(true);
};

/** The single-peer port with every call of `key` replaced. */
function withPort(port: DistributedPort, overrides: Partial<DistributedPort>): DistributedPort {
  return new Proxy(port, {
    get(target, key) {
      if (key in overrides) return overrides[key as keyof DistributedPort];
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const slowJobs = (bodyMs: number, bodies: number[]) =>
  reactor({ name: 'slow-jobs', version: '1' }, (r) => {
    const job = r.molecule<number>('job', { distributed: true });
    const done = r.molecule<number>('done');
    r.react('work', [job], async ([n], out) => {
      bodies.push(n);
      await sleep(bodyMs);
      out(done, n);
    });
    return { job };
  });

describe('claims ahead of long bodies', () => {
  it('claims the next copy while a long body runs; a claim refused while it waits runs no body and its copy comes back', async () => {
    const port = createSinglePeerPort();
    const claimed: ClaimGrant[] = [];
    const refuse = new Set<number>([3]); // the third claim is refused
    const spied = withPort(port, {
      claim: async (reactor, reaction, ids) => {
        const grant = await port.claim(reactor, reaction, ids);
        if (grant) claimed.push(grant);
        return grant;
      },
      decided: (grant) =>
        new Promise<boolean>((resolve) => {
          const nth = claimed.indexOf(grant) + 1;
          if (refuse.has(nth)) setTimeout(() => resolve(false), 5);
          else setTimeout(() => resolve(true), 5);
        }),
    });
    const bodies: number[] = [];
    const machine = createMachine({ distributed: spied });
    const outcomes: string[] = [];
    machine.on('reaction-finished', (e) => outcomes.push(e.outcome));
    const j = machine.load(slowJobs(30, bodies));
    for (let i = 1; i <= 6; i++) j.emit.job(i);
    await until(() => valuesOf(machine, 'done').length === 6, 'every job done');
    // Bodies are learned long after the first; from then on a claim is made while a body runs (more claims
    // than bodies), and the refused one never ran a body: exactly one body per job, none fenced.
    expect(bodies.toSorted((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(claimed.length).toBeGreaterThan(6);
    expect(outcomes.filter((o) => o === 'fenced')).toEqual([]);
    expect(machine.stats().claimsRefused).toBeGreaterThanOrEqual(1);
    await machine.idle();
    expect(port.outstandingClaims()).toEqual([]);
    machine.dispose();
  });

  it('the commit window does not idle long bodies: they keep running while acknowledgements are slow', async () => {
    const port = createSinglePeerPort();
    // Hold every commit until the test lets it go (a sequencer whose acknowledgements take long).
    const held: (() => void)[] = [];
    const slow = withPort(port, {
      commit: (grant, outputs) => new Promise<boolean>((done) => held.push(() => void port.commit(grant, outputs).then(done))),
    });
    const bodies: number[] = [];
    const machine = createMachine({ distributed: slow });
    const j = machine.load(slowJobs(5, bodies));
    for (let i = 0; i < 30; i++) j.emit.job(i);
    // An instant body stops at 16 commits awaiting acknowledgement; long ones go on past it.
    await until(() => held.length >= 24, 'more than 16 commits awaiting acknowledgement');
    for (let i = 0; i < 100 && valuesOf(machine, 'done').length < 30; i++) {
      for (const go of held.splice(0)) go();
      await sleep(20);
    }
    expect(valuesOf(machine, 'done')).toHaveLength(30);
    machine.dispose();
  });
});
