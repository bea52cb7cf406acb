#!/usr/bin/env node
// The `kinetic-peer` bin (see cli/main.ts). The first SIGINT/SIGTERM leaves cleanly; a second one exits at once.
import fs from 'node:fs';
import { runPeerCli } from './cli/main';

const version = (): string => {
  try {
    // dist/lib/kinetic-peer.js → the package's package.json.
    return (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

let stopping = false;
const stopSignal = new Promise<string>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      resolve(signal);
    });
  }
});

process.exitCode = await runPeerCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  version: version(),
  stopSignal,
});
process.exit();
