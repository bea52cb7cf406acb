// The architecture, written down once and checked on every `npm test`:
//
//   ui ──► workers ──► dcm ──► mesh ──► protocol ──► core
//            │          └────► store ─────────────► core
//            └──► reactors ──► core
//   signaling-server ──► protocol (the wire contract it shares with the client) ──► core
//
// A layer may import only the layers listed for it below; nothing imports the UI; no file takes part in an
// import loop (type-only imports included: a type loop is still a loop for the reader).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importLoops, readImportGraph } from './architecture/import-graph';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const graph = readImportGraph(root, ['src', 'workers', 'signaling-server/src']);

const Layer = {
  Core: 'core',
  Protocol: 'protocol',
  Store: 'store',
  Mesh: 'mesh',
  Dcm: 'dcm',
  Reactors: 'reactors',
  Workers: 'workers',
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

const { Core, Protocol, Store, Mesh, Dcm, Reactors, Workers, Node, Library, Ui, Signal } = Layer;
/** What each layer may import (besides itself). */
const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  [Core]: [],
  [Protocol]: [Core],
  [Store]: [Core],
  [Mesh]: [Protocol, Core],
  [Dcm]: [Mesh, Store, Protocol, Core],
  [Reactors]: [Core],
  [Workers]: [Dcm, Mesh, Store, Reactors, Protocol, Core],
  [Node]: [Dcm, Mesh, Store, Reactors, Protocol, Core],
  [Library]: [Node, Dcm, Mesh, Store, Reactors, Protocol, Core],
  [Ui]: [Workers, Reactors, Protocol, Core],
  [Signal]: [Protocol, Core],
};

/**
 * Edges that break a rule today, each to be removed by the architecture work (issue 15). The test fails when
 * one of them is fixed but still listed, so this list can only shrink.
 */
const KNOWN_VIOLATIONS: readonly string[] = [
];
const KNOWN_LOOPS: readonly string[] = [
  'src/core/scheduler.ts ⇄ src/core/site.ts',
  'workers/machine-host.ts ⇄ workers/machine-view.ts',
];

function violations(): string[] {
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

describe('architecture', () => {
  it('reads the whole tree (the check is not vacuous)', () => {
    expect(graph.files.length).toBeGreaterThan(100);
    const edgeCount = [...graph.edges.values()].reduce((sum, targets) => sum + targets.length, 0);
    expect(edgeCount).toBeGreaterThan(300);
    for (const folder of ['src/core/', 'src/mesh/', 'src/dcm/', 'src/ui/', 'workers/', 'signaling-server/src/']) {
      expect(graph.files.some((file) => file.startsWith(folder)), folder).toBe(true);
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
    expect(violations()).toEqual([...KNOWN_VIOLATIONS].sort());
  });

  it('no import loops', () => {
    expect(importLoops(graph).map((loop) => loop.join(' ⇄ '))).toEqual([...KNOWN_LOOPS].sort());
  });
});
