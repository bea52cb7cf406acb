// `npm run bench -- local`: local reactions per second on one core, against a hand-written Map multiset
// doing the same matching work in the same process (see bench/lib/baseline.ts).
//  counter: one counter molecule, N `incr` emissions (each drains inline), one final blocking read.
//  many:    100 counters (200 molecule names, 100 reactions), N `inc_i` emissions round-robin, final reads.
//  guarded: the counter with a `when` predicate and a cross-molecule guard, so every step takes the general
//           (searching) matcher instead of the any-copy fast path. `guardedUnmatched`: the same with 1,000
//           `incr` copies that never satisfy the predicate sitting at the front of the bag: the bag remembers
//           them as known to fail, so a step must not rescan them (it did before: ~30,000/s).
// Each variant: 1 warm-up + RUNS timed runs; the median rate is reported.
import { createMachine, reactor } from '../src/core';
import { makeMultisetQueued } from './lib/baseline';
import { stats, writeResult } from './lib/result';

const N = Number(process.env['N_MSGS'] ?? 1_000_000);
const RUNS = Number(process.env['RUNS'] ?? 5);
const K = 100;

const counter = reactor({ name: 'bench-counter', version: '1' }, (r) => {
  const count = r.molecule<number>('count');
  const incr = r.molecule('incr');
  const read = r.blocking<void, number>('read');
  r.react('increment', [count, incr], ([c], out) => out(count, c + 1));
  r.react('read', [count, read], ([c, call], out) => {
    out(count, c);
    call.reply(c);
  });
  return { count, incr, read };
});

const many = reactor({ name: 'bench-many', version: '1' }, (r) => {
  const counts = Array.from({ length: K }, (_, i) => r.molecule<number>(`c${i}`));
  const incs = Array.from({ length: K }, (_, i) => r.molecule(`inc${i}`));
  const read = r.blocking<void, number>('read');
  for (let i = 0; i < K; i++) {
    const c = counts[i] as (typeof counts)[number];
    r.react(`increment${i}`, [c, incs[i] as (typeof incs)[number]], ([v], out) => out(c, v + 1));
  }
  r.react('read', [counts[0] as (typeof counts)[number], read], ([v, call], out) => {
    out(counts[0] as (typeof counts)[number], v);
    call.reply(v);
  });
  return Object.fromEntries([...counts.map((c, i) => [`c${i}`, c]), ...incs.map((m, i) => [`inc${i}`, m]), ['read', read]]) as Record<string, (typeof counts)[number]>;
});

const guarded = reactor({ name: 'bench-guarded', version: '1' }, (r) => {
  const count = r.molecule<number>('count');
  const incr = r.molecule<number>('incr');
  const read = r.blocking<void, number>('read');
  r.react('increment', [count, incr.when((d) => d % 2 === 0)], ([c, d], out) => out(count, c + d / 2), { guard: ([c]) => c >= 0 });
  r.react('read', [count, read], ([c, call], out) => {
    out(count, c);
    call.reply(c);
  });
  return { count, incr, read };
});

const guardedRun = (unmatched: number, n: number) => async (): Promise<number> => {
  const machine = createMachine();
  const g = machine.load(guarded);
  const incr = g.emit.incr;
  for (let i = 0; i < unmatched; i++) incr(1);
  const t0 = performance.now();
  g.emit.count(0);
  for (let i = 0; i < n; i++) incr(2);
  const v = await g.emit.read();
  const ms = performance.now() - t0;
  if (v !== n) throw new Error(`guarded: got ${v}, expected ${n}`);
  machine.dispose();
  return n / (ms / 1000);
};

async function counterRun(): Promise<number> {
  const machine = createMachine();
  const c = machine.load(counter);
  const incr = c.emit.incr;
  const t0 = performance.now();
  c.emit.count(0);
  for (let i = 0; i < N; i++) incr();
  const v = await c.emit.read();
  const ms = performance.now() - t0;
  if (v !== N) throw new Error(`counter: got ${v}, expected ${N}`);
  machine.dispose();
  return N / (ms / 1000);
}

async function manyRun(): Promise<number> {
  const machine = createMachine();
  const m = machine.load(many);
  const emitters = Array.from({ length: K }, (_, i) => m.emit[`inc${i}`] as () => void);
  const t0 = performance.now();
  for (let i = 0; i < K; i++) (m.emit[`c${i}`] as (v: number) => void)(0);
  for (let i = 0; i < N; i++) (emitters[i % K] as () => void)();
  const v = (await m.call('read')) as number;
  const ms = performance.now() - t0;
  if (v !== N / K) throw new Error(`many: got ${v}, expected ${N / K}`);
  machine.dispose();
  return N / (ms / 1000);
}

function baselineRun(k: number): () => number {
  const msgs = Array.from({ length: N }, (_, i) => ({ mol: k === 1 ? 'incr' : `inc${i % k}`, value: undefined as unknown }));
  const initial = Array.from({ length: k }, (_, i) => ({ mol: k === 1 ? 'counter' : `c${i}`, value: 0 as unknown }));
  return () => {
    const queue = msgs.slice();
    const engine = makeMultisetQueued((emit) =>
      Array.from({ length: k }, (_, i) => {
        const c = k === 1 ? 'counter' : `c${i}`;
        return { inputs: [c, k === 1 ? 'incr' : `inc${i}`], body: (v: unknown) => emit(c, (v as number) + 1) };
      }),
    );
    const t0 = performance.now();
    const bag = engine.run(queue, initial);
    const ms = performance.now() - t0;
    const v = bag.get(k === 1 ? 'counter' : 'c0')?.[0];
    if (v !== N / k) throw new Error(`baseline: got ${String(v)}, expected ${N / k}`);
    return N / (ms / 1000);
  };
}

async function measure(run: () => number | Promise<number>): Promise<{ median: number; best: number; worst: number }> {
  const rates: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const rate = await run();
    if (i > 0) rates.push(rate);
  }
  const s = stats(rates);
  return { median: Math.round(s.p50), best: Math.round(s.max), worst: Math.round(s.min) };
}

const baseline = await measure(baselineRun(1));
const machineCounter = await measure(counterRun);
const manyBaseline = await measure(baselineRun(K));
const machineMany = await measure(manyRun);
const machineGuarded = await measure(guardedRun(0, N));
const machineGuardedUnmatched = await measure(guardedRun(1000, N / 20));
writeResult(
  'local',
  {
    reactionsPerSecond: machineCounter.median,
    baselineReactionsPerSecond: baseline.median,
    baselineRatio: Math.round((machineCounter.median / baseline.median) * 1000) / 1000,
    manyReactionsPerSecond: machineMany.median,
    manyBaselineReactionsPerSecond: manyBaseline.median,
    manyBaselineRatio: Math.round((machineMany.median / manyBaseline.median) * 1000) / 1000,
    guardedReactionsPerSecond: machineGuarded.median,
    guardedUnmatchedReactionsPerSecond: machineGuardedUnmatched.median,
  },
  { messages: N, runs: RUNS, reactions: K, counter: machineCounter, baseline, many: machineMany, manyBaseline, guarded: machineGuarded, guardedUnmatched: machineGuardedUnmatched },
);
