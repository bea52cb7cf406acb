// `npm run bench` runs every benchmark; `npm run bench -- <name> [<name>...]` runs some.
// Each benchmark is bench/<name>.ts, run in its own process so one cannot skew the next, compiled like the
// shipped library (bench/lib/ts-loader.mjs: no tsx helpers in the measured code).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NODE_TS } from './lib/node-ts';

const here = import.meta.dirname;
const all = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length ? wanted : all) {
  const r = spawnSync(process.execPath, [...NODE_TS, path.join(here, `${name}.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`benchmark ${name} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
