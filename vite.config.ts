import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import fs from 'node:fs';

// Every lab/*.html page (small test and benchmark pages driven by Playwright) is built next to the app.
const labPages = Object.fromEntries(
  fs.existsSync('lab') ? fs.readdirSync('lab').filter((f) => f.endsWith('.html')).map((f) => [`lab-${f.slice(0, -5)}`, `lab/${f}`]) : [],
);

const wrtcTests = ['test/mesh/webrtc.test.ts', 'test/mesh/peerjs.test.ts', 'test/mesh/room-webrtc.test.ts'];

// One config for the app build and for Vitest. Workers are ES modules so they can import the core.
export default defineConfig({
  plugins: [svelte()],
  // The library's entry points by their package names (the server imports the wire contract as a package).
  resolve: {
    alias: [
      { find: /^kinetic-mesh\/protocol$/, replacement: new URL('./src/protocol/index.ts', import.meta.url).pathname },
      { find: /^kinetic-mesh$/, replacement: new URL('./src/index.ts', import.meta.url).pathname },
    ],
  },
  worker: { format: 'es' },
  build: { outDir: 'dist/app', target: 'es2022', sourcemap: true, rollupOptions: { input: { main: 'index.html', ...labPages } } },
  server: { port: 5173 },
  test: {
    environment: 'node',
    testTimeout: 20000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'signaling-server/src/**/*.test.ts'],
          exclude: [...wrtcTests, 'test/package/**'],
          pool: 'threads',
        },
      },
      {
        // Node WebRTC (@roamhq/wrtc) crashes when a worker *thread* exits, so these run in child processes.
        extends: true,
        test: { name: 'wrtc', include: wrtcTests, pool: 'forks' },
      },
    ],
  },
});
