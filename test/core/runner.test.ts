// The ReactionRunner seam: pool bodies run on a separately defined copy of the reactor (as a worker that
// imported the module would) and only plain data crosses the boundary.
import { describe, expect, it } from 'vitest';
import { createMachine, reactor, runReactionBody, type ReactionJob, type ReactionRunner } from '../../src/core';

const makeSquares = () =>
  reactor({ name: 'squares', version: '1', module: import.meta.url }, (r) => {
    const n = r.molecule<number>('n');
    const sq = r.molecule<number>('sq');
    const shared = r.molecule<number>('shared', { distributed: true });
    const ask = r.blocking<number, number>('ask');
    r.react('square', [n], ([x], out) => out(sq, x * x), { pool: true });
    r.react('answer', [ask], ([call]) => {
      call.reply(call.value + 1);
    }, { pool: true });
    r.react('dsquare', [shared.when((x) => x < 100)], ([x], out) => out(shared, x * x + 100), { pool: true });
    return { n, ask, shared };
  });

/** A runner standing in for a worker: its own definition instance, structured-cloned inputs and outputs. */
function workerLikeRunner(jobs: string[]): ReactionRunner {
  const inWorker = makeSquares();
  return {
    async run(job: ReactionJob) {
      jobs.push(job.reaction);
      if (job.reactor !== inWorker.id) throw new Error('reactor id differs between main thread and worker');
      const result = await runReactionBody(inWorker, job.reaction, structuredClone(job.values), { peer: job.peer });
      return structuredClone(result);
    },
  };
}

describe('pool reactions through a ReactionRunner', () => {
  it('apply outputs and replies from plain-data results', async () => {
    const jobs: string[] = [];
    const machine = createMachine({ runner: workerLikeRunner(jobs) });
    const s = machine.load(makeSquares());
    for (let i = 1; i <= 3; i++) s.emit.n(i);
    expect(await s.emit.ask(41)).toBe(42);
    s.emit.shared(7);
    await machine.idle();
    const values = (name: string): readonly unknown[] => machine.molecules().find((m) => m.name === name)?.values ?? [];
    expect([...values('sq')].sort()).toEqual([1, 4, 9]);
    expect(values('shared')).toEqual([149]);
    expect(jobs.filter((j) => j === 'square')).toHaveLength(3);
    expect(jobs).toContain('answer');
    expect(jobs).toContain('dsquare');
    machine.dispose();
  });

  it('the default runner runs pool bodies inline', async () => {
    const machine = createMachine();
    const s = machine.load(makeSquares());
    s.emit.n(5);
    expect(await s.emit.ask(1)).toBe(2);
    await machine.idle();
    expect(machine.molecules().find((m) => m.name === 'sq')?.values).toEqual([25]);
    machine.dispose();
  });
});
