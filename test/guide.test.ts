// docs/guide.md's walk-through runs as a test: its ```ts blocks, in order, as one module (imports of the
// packages point at this repository's sources), and each `console.log(x); // → v` line must print v.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const guide = fs.readFileSync(path.join(root, 'docs', 'guide.md'), 'utf8');
const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const sources: Record<string, string> = {
  'kinetic-mesh': 'src/index.ts',
  'kinetic-mesh/node': 'src/node/index.ts',
  'kinetic-mesh/reactors': 'src/reactors/index.ts',
  'kinetic-signal': 'signaling-server/src/index.ts',
};

describe('docs/guide.md walk-through', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs and prints what its comments say', async () => {
    expect(blocks.length).toBeGreaterThan(3);
    const code = blocks.join('\n');
    const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ → (.*)$/gm)].map((m) => m[1]?.trim());
    const module = code.replace(/from '(kinetic-[a-z/-]+)'/g, (whole, name: string) => {
      const file = sources[name];
      return file ? `from ${JSON.stringify(path.join(root, file))}` : whole;
    });
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-guide-')), 'guide.ts');
    fs.writeFileSync(file, module);
    await import(/* @vite-ignore */ pathToFileURL(file).href);
    expect(printed).toEqual(expected);
  }, 60_000);
});
