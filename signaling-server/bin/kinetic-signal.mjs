#!/usr/bin/env node
// Thin bin: load the TypeScript sources through tsx (no build step), then run the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
