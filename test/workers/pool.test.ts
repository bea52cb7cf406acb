// The reaction pool in one process: each "worker" is servePoolWorker (the real worker code) behind a
// MessageChannel, importing the reactor module by its URL exactly as a pool worker does. The browser run
// (real Workers, Web Lock death detection, long tasks) is e2e/pool.spec.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { ReactionJob } from '../../src/core/runner';
import { createReactionPool, PoolWorkerDiedError, type PoolWorkerHandle, type ReactionPool } from '../../workers/pool';
import { servePoolWorker } from '../../workers/pool-serve';
import { heavy, heavyJob as job } from './fixtures/heavy';

function channelWorker(): PoolWorkerHandle {
  const { port1, port2 } = new MessageChannel();
  servePoolWorker(
    { postMessage: (m) => port2.postMessage(m), addEventListener: (t, l) => port2.addEventListener(t, l as (e: Event) => void) },
    (url) => import(/* @vite-ignore */ url),
  );
  port1.start();
  port2.start();
  return {
    postMessage: (m) => port1.postMessage(m),
    addEventListener: (t: string, l: (e: never) => void) => port1.addEventListener(t, l as (e: Event) => void),
    terminate: () => {
      port1.close();
      port2.close();
    },
  };
}


let pool: ReactionPool | null = null;
afterEach(() => pool?.close());

describe('reaction pool', () => {
  it('runs bodies by reaction name in workers that import the reactor module by URL', async () => {
    pool = createReactionPool({ spawn: channelWorker, size: 3, locks: null });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool!.run(job('square', [i]))));
    expect(results.map((r) => r.outputs[0]?.value)).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    expect(results[3]?.outputs[0]).toEqual({ reactor: heavy.id, molecule: 'square', value: 9 });
    expect(pool.queued).toBe(0);
  });

  it('returns replies to blocking inputs as data', async () => {
    pool = createReactionPool({ spawn: channelWorker, size: 1, locks: null });
    const r = await pool.run(job('answer', [41]));
    expect(r.replies).toEqual([{ input: 0, value: 42 }]);
  });

  it('rejects with the body’s error and keeps the worker', async () => {
    pool = createReactionPool({ spawn: channelWorker, size: 1, locks: null });
    await expect(pool.run(job('boom', [-1]))).rejects.toMatchObject({ name: 'RangeError', message: 'negative input' });
    expect((await pool.run(job('square', [4]))).outputs[0]?.value).toBe(16);
    expect(pool.replaced).toBe(0);
  });

  it('reports a module that does not export the reactor', async () => {
    pool = createReactionPool({ spawn: channelWorker, size: 1, locks: null });
    await expect(pool.run(job('square', [1], { reactor: 'not-this-id' as ReactionJob['reactor'] }))).rejects.toThrow(/does not export reactor/);
    await expect(pool.run(job('square', [1], { module: undefined }))).rejects.toThrow(/no module URL/);
  });

  it('replaces a worker that stops answering, failing only its job', async () => {
    pool = createReactionPool({ spawn: channelWorker, size: 1, locks: null, jobTimeoutMs: 200 });
    const hung = pool.run(job('hang', [-2]));
    const queued = pool.run(job('square', [5]));
    await expect(hung).rejects.toBeInstanceOf(PoolWorkerDiedError);
    expect((await queued).outputs[0]?.value).toBe(25);
    expect(pool.replaced).toBe(1);
  });

  it('rejects queued and running jobs when closed', async () => {
    const p = createReactionPool({ spawn: channelWorker, size: 1, locks: null });
    const hung = p.run(job('hang', [-2]));
    const waiting = p.run(job('square', [2]));
    p.close();
    await expect(hung).rejects.toThrow(/closed/);
    await expect(waiting).rejects.toThrow(/closed/);
    await expect(p.run(job('square', [2]))).rejects.toThrow(/closed/);
  });
});

describe('finding reactors in a module', () => {
  it('finds definitions exported directly or inside exported registries', async () => {
    const { findDefinitions } = await import('../../workers/pool-serve');
    expect(findDefinitions({ heavy })).toEqual([heavy]);
    expect(findDefinitions({ registry: { heavy: { definition: heavy, summary: 'x' } }, other: 3 })).toEqual([heavy]);
    expect(findDefinitions({ nothing: { a: { b: { c: { d: heavy } } } } })).toEqual([]);
  });
});
