// Map/reduce: the sum of squares 1..N in both variants, with per-peer counts and the timing report.
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from '../../src/core/machine';
import type { Machine } from '../../src/core/machine-api';
import { asPeerId } from '../../src/core/ids';
import { mapreduce, sumOfSquares, type MapReport } from '../../src/reactors/mapreduce';
import { countIn, valuesIn } from './soup';

let machine: Machine;
afterEach(() => machine.dispose());

async function settle(m: Machine, until: () => boolean): Promise<void> {
  // Latency-bound jobs await timers, which idle() does not wait for: poll until the report is there.
  for (let i = 0; i < 400 && !until(); i++) {
    await m.idle();
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('mapreduce reactor', () => {
  it('sums the squares of 1..100 to 338350 and reports who mapped what', async () => {
    machine = createMachine({ peerId: asPeerId('ann') });
    const mr = machine.load(mapreduce);
    mr.feed('start', { run: 'r1', jobs: 100, cost: 0, cpu: false, at: Date.now() });
    await settle(machine, () => countIn(machine, 'mapreduce', 'report') > 0);
    const [report] = valuesIn(machine, 'mapreduce', 'report') as MapReport[];
    expect(report).toMatchObject({ run: 'r1', total: 100, n: 100, sum: 338350, by: { ann: 100 }, cpu: false });
    expect(report?.wallMs).toBeGreaterThan(0);
    expect(countIn(machine, 'mapreduce', 'partial')).toBe(0);
    expect(countIn(machine, 'mapreduce', 'pending')).toBe(0);
  });

  it('runs the CPU-bound variant (pool reaction, inline runner here) and a single job', async () => {
    machine = createMachine({ peerId: asPeerId('ann') });
    const mr = machine.load(mapreduce);
    mr.feed('start', { run: 'cpu', jobs: 20, cost: 1, cpu: true, at: Date.now() });
    mr.feed('start', { run: 'one', jobs: 1, cost: 0, cpu: false, at: Date.now() });
    await settle(machine, () => countIn(machine, 'mapreduce', 'report') >= 2);
    const reports = valuesIn(machine, 'mapreduce', 'report') as MapReport[];
    expect(reports.find((r) => r.run === 'cpu')).toMatchObject({ sum: sumOfSquares(20), cpu: true });
    expect(reports.find((r) => r.run === 'cpu')?.work).toBeGreaterThanOrEqual(20);
    expect(reports.find((r) => r.run === 'one')).toMatchObject({ sum: 1, total: 1 });
  });

  it('bounds the job count a single start can emit', async () => {
    machine = createMachine({ peerId: asPeerId('ann') });
    const mr = machine.load(mapreduce);
    mr.feed('start', { run: 'big', jobs: 1e9, cost: 0, cpu: false, at: Date.now() });
    await settle(machine, () => countIn(machine, 'mapreduce', 'report') > 0);
    expect((valuesIn(machine, 'mapreduce', 'report') as MapReport[])[0]?.total).toBe(2000);
  });
});
