// The checker cannot pass vacuously: each deliberately broken protocol variant is caught by the
// simulation's invariant checker within a few seeds, while the real protocol passes the same seeds.
import { describe, expect, it } from 'vitest';
import type { ProtocolFaults } from '../../src/dcm/context';
import { runSimulation } from '../sim/run';

const SAFETY = new Set(['agreement', 'exactly-once', 'fencing', 'acknowledged', 'counter', 'mapreduce', 'chat', 'broadcast', 'durable-majority']);

async function firstCaught(mutation: ProtocolFaults, maxSeeds: number, faultKinds?: number[]): Promise<{ seed: number; rules: string[] } | null> {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const r = await runSimulation({ seed, mutation, mapJobs: 20, ...(faultKinds ? { faultKinds } : {}) });
    const rules = [...new Set(r.violations.map((v) => v.rule).filter((rule) => SAFETY.has(rule)))];
    if (rules.length) return { seed, rules };
  }
  return null;
}

describe('mutation: the checker catches a broken protocol', () => {
  it('acknowledging without a quorum loses or forks acknowledged entries', async () => {
    // Sequencer crashes are where an acknowledgement held by the sequencer alone gets lost.
    const caught = await firstCaught({ skipQuorum: true }, 80, [1]);
    expect(caught, 'skipQuorum was never caught').not.toBeNull();
    expect(caught?.rules.some((r) => ['agreement', 'acknowledged', 'exactly-once', 'counter', 'chat', 'mapreduce', 'durable-majority'].includes(r))).toBe(true);
  }, 60_000);

  it('committing without a live claim of the epoch is reported as a fencing violation', async () => {
    const caught = await firstCaught({ skipFencing: true }, 30);
    expect(caught?.rules).toContain('fencing');
  }, 60_000);

  it('serving without adopting the most advanced log of a quorum breaks agreement', async () => {
    // 60 seeds: since commits are pipelined (a run stops counting toward concurrency once only its
    // acknowledgement is pending) the first catching seed moved from ≤ 30 to 50.
    const caught = await firstCaught({ skipRecovery: true }, 60);
    expect(caught, 'skipRecovery was never caught').not.toBeNull();
  }, 60_000);

  it('a replica that learns a commit without a majority applies entries no majority stores', async () => {
    // The learner (src/dcm/learner.ts) applies entries the sequencer has not announced: counting only its
    // own copy must be caught. In a room of three its copy and the sequencer's usually are a majority, so
    // the harm (a cut entry that was applied) is rare; the durable-majority rule sees the unsafe step itself.
    const caught = await firstCaught({ learnWithoutQuorum: true }, 20);
    expect(caught, 'learnWithoutQuorum was never caught').not.toBeNull();
    expect(caught?.rules).toContain('durable-majority');
  }, 60_000);

  it('the real protocol passes the same seeds', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      for (const faultKinds of [[0, 1, 2, 3], [1]]) {
        const r = await runSimulation({ seed, mapJobs: 20, faultKinds });
        expect(r.violations, `seed ${seed} faults ${faultKinds.join(',')}`).toEqual([]);
      }
    }
  }, 60_000);
});
