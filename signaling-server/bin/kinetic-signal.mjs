#!/usr/bin/env node
// Thin bin over the compiled CLI (signaling-server/dist, built by `npm run build -w kinetic-signal` and on pack).
try {
  await import('../dist/cli.js');
} catch (e) {
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('/dist/cli.js')) {
    console.error('kinetic-signal: not built yet (run `npm run build -w kinetic-signal` in the repository)');
    process.exit(1);
  }
  throw e;
}
