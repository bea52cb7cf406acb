// Node flags that run a TypeScript file compiled like the shipped library (bench/lib/ts-loader.mjs), for the
// benchmarks and the processes they start.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const NODE_TS: readonly string[] = ['--import', pathToFileURL(path.join(import.meta.dirname, 'ts-loader.mjs')).href];
