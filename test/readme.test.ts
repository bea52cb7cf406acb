// The README's TypeScript examples run as tests (tinybase's documentation.test idea): every ```ts block is
// executed as a module importing 'kinetic-mesh', and each `console.log(x); // → v` line must print v.
// (```typescript blocks need a browser or a server; the packed-tarball test type-checks them instead.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = fs.readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-readme-'));

describe('README examples', () => {
  afterEach(() => vi.restoreAllMocks());

  it('has at least one TypeScript example', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs and prints what its comments say`, async () => {
      const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ → (.*)$/gm)].map((m) => m[1]?.trim());
      const printed: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      });
      const src = code.replaceAll("from 'kinetic-mesh'", `from ${JSON.stringify(path.resolve(import.meta.dirname, '..', 'src', 'index.ts'))}`);
      const file = path.join(dir, `example-${i + 1}.ts`);
      fs.writeFileSync(file, src);
      await import(/* @vite-ignore */ pathToFileURL(file).href);
      expect(printed).toEqual(expected);
    });
  });
});
