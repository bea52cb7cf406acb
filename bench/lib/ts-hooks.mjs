// Module hooks behind bench/lib/ts-loader.mjs: `.ts` files compiled with esbuild the way the shipped library is
// built (tsdown: plain ES2022, no helpers), and extensionless relative imports resolved to `.ts` / `/index.ts`
// as the sources write them, and the tsconfig's `paths` (the package's own name, which the signaling server
// imports). `.ts` files anywhere are compiled; everything else loads as usual.
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from 'esbuild';

const root = new URL('../../', import.meta.url);
/** tsconfig.json `paths` (exact names only, as this repository uses them) → file URLs. */
const paths = new Map(
  Object.entries(JSON.parse(readFileSync(new URL('tsconfig.json', root), 'utf8')).compilerOptions?.paths ?? {}).map(([name, [target]]) => [
    name,
    pathToFileURL(fileURLToPath(new URL(target, root))).href,
  ]),
);

const TSCONFIG = { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true, target: 'ES2022' } };

export async function resolve(specifier, context, next) {
  const mapped = paths.get(specifier);
  if (mapped) return { url: mapped, format: 'module', shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (!relative || !context.parentURL?.endsWith('.ts')) throw error;
    for (const suffix of ['.ts', '/index.ts']) {
      try {
        return await next(specifier + suffix, context);
      } catch {
        // try the next form
      }
    }
    throw error;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const file = fileURLToPath(url);
  const { code } = await transform(await fs.readFile(file, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: file,
    sourcemap: 'inline',
    tsconfigRaw: TSCONFIG,
  });
  return { format: 'module', source: code, shortCircuit: true };
}
