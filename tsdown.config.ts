// The library build (`npm run build:lib`): compiled ESM + bundled .d.ts per public entry, in dist/lib.
// tsdown (rolldown + rolldown-plugin-dts) because the sources import without file extensions, which plain
// `tsc` output cannot run under Node's ESM loader, and because bundled declarations give a consumer one
// self-contained .d.ts per entry (no deep paths for NodeNext to resolve).
import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    webrtc: 'src/webrtc.ts',
    peerjs: 'src/peerjs.ts',
    node: 'src/node/index.ts',
    reactors: 'src/reactors/index.ts',
    testing: 'src/testing.ts',
    protocol: 'src/protocol/index.ts',
    'kinetic-peer': 'src/node/kinetic-peer.ts',
  },
  outDir: 'dist/lib',
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  sourcemap: false,
  clean: true,
  fixedExtension: false,
  tsconfig: 'tsconfig.lib.json',
  // Node's built-ins stay imports (the neutral platform would only warn about them).
  deps: { neverBundle: [/^node:/] },
});
