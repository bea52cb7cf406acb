import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One config for the app build and for Vitest. Workers are ES modules so they can import the core.
export default defineConfig({
  plugins: [svelte()],
  resolve: { alias: { 'kinetic-mesh': new URL('./src/index.ts', import.meta.url).pathname } },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { port: 5173 },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'signaling-server/src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20000,
    pool: 'threads',
  },
});
