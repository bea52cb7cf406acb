// The architecture, written down once and checked on every `npm test`:
//
//   ui ──► workers ──► dcm ──► mesh ──► protocol ──► core
//            │          └────► store ─────────────► core
//            └──► reactors ──► core
//   src/index.ts, src/node, src/join (the library's entry points and one-call joinRoom) ──► dcm, mesh, store, …
//   signaling-server ──► protocol (the wire contract it shares with the client) ──► core
//
// A layer may import only the layers listed for it below; nothing imports the UI; no file takes part in an
// import loop (type-only imports included: a type loop is still a loop for the reader).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import { importLoops, readImportGraph, type ImportGraph } from './architecture/import-graph';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The library's subpaths imported by package name inside the repository (tsconfig paths, vite aliases). */
const ALIASES = { 'kinetic-mesh/protocol': 'src/protocol/index.ts' };
const graph = readImportGraph(root, ['src', 'workers', 'signaling-server/src'], ALIASES);

const Layer = {
  Core: 'core',
  Protocol: 'protocol',
  Store: 'store',
  Mesh: 'mesh',
  Dcm: 'dcm',
  Reactors: 'reactors',
  Workers: 'workers',
  Join: 'join',
  Node: 'node',
  Library: 'library',
  Ui: 'ui',
  Signal: 'signal',
} as const;
type Layer = (typeof Layer)[keyof typeof Layer];

/** Longest prefix wins; `src/*.ts` (the package entry points) is the library layer. */
const LAYER_OF_FOLDER: readonly (readonly [string, Layer])[] = [
  ['src/core/', Layer.Core],
  ['src/protocol/', Layer.Protocol],
  ['src/store/', Layer.Store],
  ['src/mesh/', Layer.Mesh],
  ['src/dcm/', Layer.Dcm],
  ['src/reactors/', Layer.Reactors],
  ['src/join/', Layer.Join],
  ['src/node/', Layer.Node],
  ['src/ui/', Layer.Ui],
  ['workers/', Layer.Workers],
  ['signaling-server/src/', Layer.Signal],
  ['src/', Layer.Library],
];

function layerOf(file: string): Layer {
  const match = LAYER_OF_FOLDER.find(([folder]) => file.startsWith(folder));
  if (!match) throw new Error(`no layer for ${file}: add its folder to LAYER_OF_FOLDER`);
  return match[1];
}

const { Core, Protocol, Store, Mesh, Dcm, Reactors, Workers, Join, Node, Library, Ui, Signal } = Layer;
/** What each layer may import (besides itself). */
const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  [Core]: [],
  [Protocol]: [Core],
  [Store]: [Core],
  [Mesh]: [Protocol, Core],
  [Dcm]: [Mesh, Store, Protocol, Core],
  [Reactors]: [Core],
  [Workers]: [Dcm, Mesh, Store, Reactors, Protocol, Core],
  [Join]: [Dcm, Mesh, Store, Reactors, Protocol, Core],
  [Node]: [Join, Dcm, Mesh, Store, Reactors, Protocol, Core],
  [Library]: [Join, Node, Dcm, Mesh, Store, Reactors, Protocol, Core],
  [Ui]: [Workers, Reactors, Protocol, Core],
  [Signal]: [Protocol, Core],
};

function violations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph.edges) {
    const fromLayer = layerOf(from);
    for (const to of targets) {
      const toLayer = layerOf(to);
      if (toLayer !== fromLayer && !MAY_IMPORT[fromLayer].includes(toLayer)) out.push(`${from} → ${to}`);
    }
  }
  return out.sort();
}

/** House style: small files, one concept each. */
const MAX_LINES = 400;
/** Where `as never` stays: a reaction body's typed output object (generic over the reactor's molecules). */
const ALLOWED_NEVER_CASTS = ['src/core/runner.ts', 'workers/pool-body.ts'];

describe('architecture', () => {
  it('reads the whole tree (the check is not vacuous)', () => {
    expect(graph.files.length).toBeGreaterThan(100);
    const edgeCount = [...graph.edges.values()].reduce((sum, targets) => sum + targets.length, 0);
    expect(edgeCount).toBeGreaterThan(300);
    for (const folder of ['src/core/', 'src/mesh/', 'src/dcm/', 'src/ui/', 'workers/', 'signaling-server/src/']) {
      expect(graph.files.some((file) => file.startsWith(folder)), folder).toBe(true);
    }
  });

  it('catches a forbidden edge and a loop (checked on a small tree written for the purpose)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-'));
    try {
      const write = (file: string, text: string): void => {
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      };
      write('src/core/a.ts', "import type { B } from './b';\nexport type A = B;\n");
      write('src/core/b.ts', "import { v } from '../ui/view';\nimport type { A } from './a';\nexport type B = A | typeof v;\n");
      write('src/ui/view.ts', 'export const v = 1;\n');
      write('src/ui/Page.svelte', "<script lang=\"ts\">\n  import { v } from './view';\n</script>\n{v}\n");
      write('workers/w.ts', "new Worker(new URL('./w.worker.ts', import.meta.url));\n");
      write('workers/doc.ts', "/** e.g. new Worker(new URL('./gone.ts', import.meta.url)) */\nexport const url = 'http://x'; // new URL('./gone2.ts', import.meta.url)\n");
      const tiny = readImportGraph(dir, ['src', 'workers']);
      expect(violations(tiny)).toEqual(['src/core/b.ts → src/ui/view.ts']);
      expect(importLoops(tiny)).toEqual([['src/core/a.ts', 'src/core/b.ts']]);
      expect(tiny.edges.get('src/ui/Page.svelte')).toEqual(['src/ui/view.ts']);
      expect(tiny.unresolved).toEqual([{ from: 'workers/w.ts', specifier: './w.worker.ts' }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every relative import resolves to a file', () => {
    expect(graph.unresolved).toEqual([]);
  });

  it('the layer rules are themselves acyclic', () => {
    const seen = new Set<Layer>();
    const visiting = new Set<Layer>();
    const visit = (layer: Layer): void => {
      if (visiting.has(layer)) throw new Error(`layer rules loop through ${layer}`);
      if (seen.has(layer)) return;
      visiting.add(layer);
      for (const next of MAY_IMPORT[layer]) visit(next);
      visiting.delete(layer);
      seen.add(layer);
    };
    for (const layer of Object.values(Layer)) visit(layer);
    expect(seen.size).toBe(Object.values(Layer).length);
  });

  it('no import crosses a forbidden edge (nothing imports the UI, the server imports only the protocol)', () => {
    expect(violations(graph)).toEqual([]);
  });

  it('the server reaches the client side only through kinetic-mesh/protocol, never by a relative path out of its package', () => {
    const server = graph.files.filter((file) => file.startsWith('signaling-server/src/'));
    const crossing = server.flatMap((file) =>
      [...fs.readFileSync(path.join(root, file), 'utf8').matchAll(/from '((?:\.\.\/)+[^']*)'/g)]
        .map((m) => m[1] ?? '')
        .filter((spec) => !path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).startsWith('signaling-server/'))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(crossing).toEqual([]);
    // …and that import is an edge the layer rules check (server → protocol).
    expect(server.some((file) => graph.edges.get(file)?.includes(ALIASES['kinetic-mesh/protocol']))).toBe(true);
    for (const [alias, file] of Object.entries(ALIASES)) expect(fs.existsSync(path.join(root, file)), alias).toBe(true);
  });

  it('no import loops', () => {
    expect(importLoops(graph).map((loop) => loop.join(' ⇄ '))).toEqual([]);
  });

  it(`no source file is longer than ${MAX_LINES} lines (split by concept when one grows)`, () => {
    const long = graph.files
      .map((file) => ({ file, lines: fs.readFileSync(path.join(root, file), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines}`);
    expect(long).toEqual([]);
  });

  it('ids and epochs are made only where their format lives (no `as never` casts in the product code)', () => {
    const casts = graph.files.filter((file) => !file.startsWith('src/ui/') && /\bas never\b/.test(fs.readFileSync(path.join(root, file), 'utf8')));
    expect(casts).toEqual(ALLOWED_NEVER_CASTS);
  });
});
