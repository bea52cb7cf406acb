// Library size: each public browser entry bundled whole (everything it exports, no tree shaking) with
// esbuild, minified and gzipped. `libraryGzKB` is `kinetic-mesh` (src/index.ts: core, dcm, mesh without
// WebRTC, stores, joinRoom); `withWebRtcGzKB` adds `kinetic-mesh/webrtc` (the simple-peer adapter and its
// joinRoom, simple-peer included). Budgets: 60 KB (DESIGN.md's library target) and 60 + 30 KB for the WebRTC
// adapter with simple-peer; over budget, the run exits non-zero.
import { build } from 'esbuild';
import zlib from 'node:zlib';
import path from 'node:path';
import { writeResult } from './lib/result';

const root = path.resolve(import.meta.dirname, '..');

async function gzippedKB(contents: string, label: string): Promise<{ minKB: number; gzKB: number }> {
  const out = await build({
    stdin: { contents, resolveDir: root, sourcefile: `${label}.ts`, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    define: { global: 'globalThis' },
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]?.contents ?? new Uint8Array();
  const gz = zlib.gzipSync(code, { level: 9 });
  return { minKB: code.byteLength / 1024, gzKB: gz.byteLength / 1024 };
}

const library = await gzippedKB(`export * from './src/index';`, 'library');
const core = await gzippedKB(`export * from './src/core/index';`, 'core');
const withWebRtc = await gzippedKB(`export * from './src/index'; export { joinRoom as joinRoomWithWebRtc, webRtcLink, createWebRtcTransport } from './src/webrtc';`, 'with-webrtc');
const reactors = await gzippedKB(`export * from './src/reactors/index';`, 'reactors');
const budget = { libraryGzKB: 60, withWebRtcGzKB: 90 };
writeResult(
  'bundle',
  {
    libraryGzKB: round(library.gzKB),
    libraryMinKB: round(library.minKB),
    coreGzKB: round(core.gzKB),
    withWebRtcGzKB: round(withWebRtc.gzKB),
    exampleReactorsGzKB: round(reactors.gzKB),
  },
  { budget, note: 'kinetic-mesh = core + dcm + mesh (ws-relay, broadcast-channel, room) + stores + joinRoom; kinetic-mesh/webrtc adds simple-peer' },
);
const over = (Object.keys(budget) as (keyof typeof budget)[]).filter((k) => ({ libraryGzKB: library.gzKB, withWebRtcGzKB: withWebRtc.gzKB })[k] > budget[k]);
if (over.length) {
  console.error(`bundle over budget: ${over.map((k) => `${k} > ${budget[k]} KB`).join(', ')}`);
  process.exitCode = 1;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
