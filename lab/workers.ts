// The workers lab page entry: exposes experiments on `window.lab` for Playwright specs and bench/workers.ts.
// Only a bootstrap: see workers-main.ts for why the code lives in a dynamically imported chunk. The
// bundler also puts its dynamic-import helper in this entry chunk, which reactor chunks then import, so a
// pool worker may evaluate this file too: it must do nothing outside a page.
import type { lab } from './workers-main';

declare global {
  interface Window {
    lab: typeof lab;
  }
}

if (typeof document !== 'undefined') {
  const status = document.getElementById('status');
  import('./workers-main').then(
    (m) => {
      window.lab = m.lab;
      if (status) status.textContent = 'ready';
    },
    (e: unknown) => {
      if (status) status.textContent = `failed: ${String(e)}`;
    },
  );
}
