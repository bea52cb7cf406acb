import { defineConfig } from '@playwright/test';

// Browsers come from Debian (apt), not from Playwright's downloader. Each test launches its own
// browser instances (see e2e/harness.ts) so peers are separate browser processes.
const PORT = Number(process.env.E2E_PORT ?? 8799);

export default defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${PORT}` },
  webServer: {
    // The bin runs the compiled server: build it first (about a second), so `npx playwright test` works alone.
    command: `npm run build:signal && node signaling-server/bin/kinetic-signal.mjs --port ${PORT} --host 127.0.0.1 --static dist/app --log-level warn`,
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
