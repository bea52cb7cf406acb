// `npm run test:package`: the packed-tarball test alone (it packs, installs and spawns processes, so it is
// kept out of the unit run and runs once in `npm test`).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/package/**/*.test.ts'], testTimeout: 360_000, hookTimeout: 600_000, pool: 'forks' },
});
