// lab: inproc-throughput.ts with counts per round — protocol messages handled (by type, all peers), log
// compactions, and GC pause time (minor / major) — to see why one round costs more than another:
//   N=5 JOBS=2000 ROUNDS=14 node --import ./bench/lib/ts-loader.mjs lab/inproc-counts.ts
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Dispatcher } from '../src/dcm/dispatch';
import { ReplicatedLog } from '../src/dcm/replicated-log';
const counts: Record<string, number> = {};
const hooks = globalThis as { __reset?: () => void; __counts?: () => unknown };
const orig = Dispatcher.prototype.handle;
Dispatcher.prototype.handle = function (this: unknown, from: Parameters<typeof orig>[0], m: Parameters<typeof orig>[1]) {
  counts[m.type] = (counts[m.type] ?? 0) + 1;
  return orig.call(this, from, m);
};
const oc = ReplicatedLog.prototype.compact;
ReplicatedLog.prototype.compact = function (this: ReplicatedLog) {
  counts['compact'] = (counts['compact'] ?? 0) + 1;
  return oc.call(this);
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const k = (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? 'gcMinorMs' : 'gcMajorMs';
    counts[k] = Math.round(((counts[k] ?? 0) + e.duration) * 10) / 10;
  }
}).observe({ entryTypes: ['gc'] });
hooks.__counts = () => ({ ...counts });
hooks.__reset = () => { for (const k of Object.keys(counts)) delete counts[k]; };
await import('./inproc-throughput');
