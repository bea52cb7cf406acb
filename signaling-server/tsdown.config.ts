// Builds the kinetic-signal package into signaling-server/dist: the CLI and the library factory, each one
// self-contained ESM file. The wire contract the server shares with the client, `kinetic-mesh/protocol`, is
// bundled in from the repository's source (src/protocol), so the published package neither reaches anything
// through `../` nor needs kinetic-mesh installed; every other bare import must be a dependency declared in
// this package.json (checked below), so the tarball installs what it runs.
// `KINETIC_SIGNAL_FAST=1` skips the .d.ts (the repo's `npm start` and Playwright build it before each run).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsdown';

const pkg = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string> };
const declared = Object.keys(pkg.dependencies ?? {});
const packageOf = (id: string): string => (id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : (id.split('/')[0] ?? id));
const builtin = new Set(builtinModules);

export default defineConfig({
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  outDir: 'dist',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  dts: process.env['KINETIC_SIGNAL_FAST'] ? false : { tsconfig: 'tsconfig.build.json' },
  clean: true,
  fixedExtension: false,
  logLevel: process.env['KINETIC_SIGNAL_FAST'] ? 'warn' : 'info',
  tsconfig: 'tsconfig.build.json',
  plugins: [
    {
      name: 'kinetic-signal:declared-dependencies',
      resolveId(id, importer) {
        if (id === 'kinetic-mesh/protocol') return fileURLToPath(new URL('../src/protocol/index.ts', import.meta.url));
        if (importer === undefined || id.startsWith('.') || id.startsWith('/') || id.startsWith('node:') || builtin.has(id) || id.startsWith('\0')) return null;
        if (!declared.includes(packageOf(id))) throw new Error(`kinetic-signal imports "${id}" but signaling-server/package.json does not declare "${packageOf(id)}"`);
        return { id, external: true };
      },
    },
  ],
});
