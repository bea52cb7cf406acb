// A lab-only reactor for pool failure tests: `die` ends the pool worker it runs in (as a crash would),
// `boom` throws, `square` is the control.
import { reactor } from '../src/core/reactor';

export const labPool = reactor({ name: 'lab-pool', version: '1.0.0', module: import.meta.url }, (r) => {
  const n = r.molecule<number>('n');
  const square = r.molecule<number>('square');
  r.react('square', [n], ([x], out) => out(square, x * x), { pool: true });
  r.react('boom', [n.is(-1)], () => {
    throw new RangeError('boom in the pool');
  }, { pool: true });
  r.react('die', [n.is(-2)], () => {
    // In a worker, close() discards the worker at once: no reply, no error event; only its lock goes.
    (globalThis as unknown as { close(): void }).close();
    return new Promise<void>(() => undefined);
  }, { pool: true });
  return { n, square };
});
