// `npm run sim` — deterministic simulation of the distributed-molecule protocol.
//   npm run sim                      1,000 seeds (CI)
//   npm run sim -- --seeds 100000    soak
//   npm run sim -- --seed 42         replay one seed with a readable trace
//   npm run sim -- --from 5000 --seeds 100   a window of seeds
//   npm run sim -- --faults 1,4      only some fault kinds (FaultKind in run.ts; `all` for every kind)
import { ALL_FAULT_KINDS, runSimulation, type SimResult } from './run';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

function report(r: SimResult): void {
  console.log(`seed ${r.seed} FAILED (${r.peers} peers, ${r.committed} entries committed, faults: ${r.faults.join('; ') || 'none'})`);
  for (const v of r.violations.slice(0, 10)) console.log(`  [${v.rule}] ${v.detail}`);
  console.log(`  replay: npm run sim -- --seed ${r.seed}${process.argv.includes('--faults') ? ` --faults ${flag('faults') ?? ''}` : ''}`);
}

async function main(): Promise<void> {
  const kinds = flag('faults') === 'all' ? ALL_FAULT_KINDS : flag('faults')?.split(',').map(Number);
  const extra = kinds ? { faultKinds: kinds } : {};
  const one = flag('seed');
  if (one !== undefined) {
    const r = await runSimulation({ seed: Number(one), trace: (line) => console.log(line), ...extra });
    console.log(`\nseed ${r.seed}: ${r.committed} entries committed, ${r.events} events, ${r.virtualMs.toFixed(0)} virtual ms`);
    if (r.violations.length) {
      report(r);
      process.exit(1);
    }
    console.log('all invariants hold');
    return;
  }
  const seeds = Number(flag('seeds') ?? 1000);
  const from = Number(flag('from') ?? 1);
  const t0 = performance.now();
  let failed = 0;
  let committed = 0;
  for (let seed = from; seed < from + seeds; seed++) {
    const r = await runSimulation({ seed, ...extra });
    committed += r.committed;
    if (r.violations.length) {
      failed++;
      report(r);
      if (failed >= 10) break;
    }
    if ((seed - from + 1) % 100 === 0) console.log(`  ${seed - from + 1}/${seeds} seeds, ${failed} failed, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`sim: ${seeds} seeds from ${from}, ${failed} failed, ${committed} log entries committed and checked, ${s} s`);
  if (failed) process.exit(1);
}

void main();
