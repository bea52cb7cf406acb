// The top self-time functions of a V8 .cpuprofile (what --cpu-prof and the inspector's Profiler write):
//   tsx bench/lib/profile-top.ts <file.cpuprofile> [count]
// Also used by bench/dcm to name the hot spots in its result.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotSpot {
  readonly fn: string;
  readonly selfPercent: number;
}

/**
 * Self time per function (name + file), largest first, as a share of the busy time (samples not idle).
 * The first sample's delta is dropped: it spans the time before profiling started.
 */
export function topSelf(file: string, count = 15): HotSpot[] {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    const dt = i === 0 ? 0 : (p.timeDeltas[i] ?? 0);
    if (!n || n.callFrame.functionName === '(idle)') return;
    total += dt;
    const f = n.callFrame;
    // tsx emits each module on one line: the file name is the useful part; node's own modules keep lines.
    const where = f.url ? (f.url.startsWith('file:') ? path.basename(f.url) : `${f.url}:${f.lineNumber + 1}`) : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, t]) => ({ fn, selfPercent: Math.round((1000 * t) / Math.max(1, total)) / 10 }));
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const [file, count = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-top <file.cpuprofile> [count]');
  for (const h of topSelf(file, Number(count))) console.log(`${h.selfPercent.toFixed(1).padStart(5)}%  ${h.fn}`);
}
