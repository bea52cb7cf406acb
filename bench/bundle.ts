// Library size: core + dcm + mesh bundled for the browser with esbuild, minified and gzipped.
// `libraryGzKB` is the public entry (src/index.ts: core, dcm, mesh without WebRTC, the example reactors);
// `withWebRtcGzKB` adds the simple-peer adapter, which apps import by path when they want WebRTC links.
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
const withWebRtc = await gzippedKB(`export * from './src/index'; export * from './src/mesh/webrtc';`, 'with-webrtc');
writeResult(
  'bundle',
  {
    libraryGzKB: round(library.gzKB),
    libraryMinKB: round(library.minKB),
    coreGzKB: round(core.gzKB),
    withWebRtcGzKB: round(withWebRtc.gzKB),
  },
  { targetGzKB: 60, note: 'src/index.ts = core + dcm + mesh (ws-relay, broadcast-channel, room) + reactors' },
);

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
