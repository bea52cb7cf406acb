// Shared benchmark output: every benchmark writes bench/results/<name>.json and prints a table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BenchResult {
  name: string;
  machine: { cpus: number; node: string; cpuModel?: string };
  metrics: Record<string, number>;
  details?: Record<string, unknown>;
  at: string;
}

const RESULTS = path.resolve(import.meta.dirname, '..', 'results');

export function writeResult(name: string, metrics: Record<string, number>, details?: Record<string, unknown>): BenchResult {
  const cpuModel = os.cpus()[0]?.model;
  const result: BenchResult = {
    name,
    machine: { cpus: os.cpus().length, node: process.version, ...(cpuModel ? { cpuModel } : {}) },
    metrics,
    ...(details ? { details } : {}),
    at: new Date().toISOString(),
  };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  printTable(result);
  return result;
}

export function printTable(r: BenchResult): void {
  const rows = Object.entries(r.metrics).map(([k, v]) => [k, formatNumber(v)] as const);
  const w = Math.max(6, ...rows.map(([k]) => k.length));
  console.log(`\n${r.name}  (${r.machine.cpus} cpus, node ${r.machine.node})`);
  console.log(`${'metric'.padEnd(w)}  value`);
  console.log(`${'-'.repeat(w)}  ${'-'.repeat(14)}`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
}

const formatNumber = (v: number): string =>
  Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** Median and percentiles of a sample. */
export function stats(xs: readonly number[]): { n: number; mean: number; p50: number; p90: number; p99: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, mean, p50: q(0.5), p90: q(0.9), p99: q(0.99), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}
