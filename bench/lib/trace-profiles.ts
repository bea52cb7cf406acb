// V8 CPU profiles of every thread of a Chromium page — main thread, machine worker, pool workers — from one
// trace recorded with the `disabled-by-default-v8.cpu_profiler` category (the way DevTools' Performance panel
// profiles workers; a CDP Profiler session on the page reaches only its main thread). Each profile is written
// as a .cpuprofile (loadable in DevTools), so topSelf names its hot spots like any other.
import fs from 'node:fs';
import path from 'node:path';
import { topSelf, type HotSpot } from './profile-top';

interface TraceEvent {
  readonly ph: string;
  readonly name: string;
  readonly pid: number;
  readonly tid: number;
  readonly id?: string;
  readonly args?: { readonly name?: string; readonly data?: ChunkData };
}
interface ChunkData {
  readonly cpuProfile?: { readonly nodes?: readonly TraceNode[]; readonly samples?: readonly number[] };
  readonly timeDeltas?: readonly number[];
}
interface TraceNode {
  readonly id: number;
  readonly parent?: number;
  readonly callFrame: { readonly functionName: string; readonly url?: string; readonly lineNumber?: number };
}

export interface ThreadProfile {
  readonly thread: string;
  /** Sampled busy time (not idle), ms. */
  readonly busyMs: number;
  readonly file: string;
  readonly hotSpots: HotSpot[];
}

/** Profiles of the threads busy at least `minBusyMs`, busiest first, written to `dir` as `<prefix>-<n>.cpuprofile`. */
export function traceProfiles(trace: Buffer, dir: string, prefix: string, minBusyMs = 50): ThreadProfile[] {
  const { traceEvents } = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] };
  const threadNames = new Map<string, string>();
  for (const e of traceEvents) if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  const profiles = new Map<string, { thread: string; nodes: Map<number, TraceNode>; samples: number[]; timeDeltas: number[] }>();
  for (const e of traceEvents) {
    if (e.name !== 'Profile' && e.name !== 'ProfileChunk') continue;
    const key = `${e.pid}:${e.id ?? ''}`;
    let p = profiles.get(key);
    if (!p) profiles.set(key, (p = { thread: threadNames.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`, nodes: new Map(), samples: [], timeDeltas: [] }));
    const data = e.args?.data;
    for (const n of data?.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
    p.samples.push(...(data?.cpuProfile?.samples ?? []));
    p.timeDeltas.push(...(data?.timeDeltas ?? []));
  }
  const busy: { thread: string; busyMs: number; profile: object }[] = [];
  for (const p of profiles.values()) {
    let us = 0;
    p.samples.forEach((id, i) => {
      if (p.nodes.get(id)?.callFrame.functionName !== '(idle)') us += p.timeDeltas[i] ?? 0;
    });
    if (us / 1000 < minBusyMs) continue;
    const children = new Map<number, number[]>();
    for (const n of p.nodes.values()) if (n.parent !== undefined) children.set(n.parent, [...(children.get(n.parent) ?? []), n.id]);
    const nodes = [...p.nodes.values()].map((n) => ({ id: n.id, callFrame: { url: '', lineNumber: -1, columnNumber: -1, scriptId: '0', ...n.callFrame }, children: children.get(n.id) ?? [] }));
    const endTime = p.timeDeltas.reduce((a, b) => a + b, 0);
    busy.push({ thread: p.thread, busyMs: Math.round(us / 1000), profile: { nodes, samples: p.samples, timeDeltas: p.timeDeltas, startTime: 0, endTime } });
  }
  fs.mkdirSync(dir, { recursive: true });
  return busy
    .sort((a, b) => b.busyMs - a.busyMs)
    .map((t, i) => {
      const file = path.join(dir, `${prefix}-${i + 1}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(t.profile));
      return { thread: t.thread, busyMs: t.busyMs, file, hotSpots: topSelf(file, 12) };
    });
}
