// The reaction pool: `pool: true` reaction bodies run on a set of workers sized to the cores, so CPU-heavy
// bodies neither block the machine nor the page. Implements core's ReactionRunner. Each worker runs one
// body at a time (CPU-bound work gains nothing from interleaving); jobs queue in FIFO order.
//
// Failures: a body that throws rejects its run with that error (the machine then returns distributed
// inputs or reports the failure). A worker that dies (crash, self.close(), failed script) rejects its
// running job with PoolWorkerDiedError and is replaced. Death is detected by a Web Lock the worker holds
// for its whole life (granted to the pool the moment the worker is gone), by the Worker's `error` event,
// and, as a last resort, by an optional per-job timeout.
import { logger } from '../src/core/log';
import type { ReactionJob, ReactionResult, ReactionRunner } from '../src/core/runner';
import { errorFrom, parsePoolResponse, type PoolRequest, type PoolResponse } from './pool-protocol';

const log = logger('kinetic:pool');

/** The part of `Worker` the pool uses (a MessagePort-backed stand-in in one-process tests). */
export interface PoolWorkerHandle {
  postMessage(message: PoolRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

export interface ReactionPoolOptions {
  /** Start a pool worker, e.g. `() => new Worker(new URL('./pool.worker.ts', import.meta.url), { type: 'module' })`. */
  readonly spawn: () => PoolWorkerHandle;
  /** Workers in the pool; default `navigator.hardwareConcurrency` (at least 1). */
  readonly size?: number;
  /** Web Locks for death detection; default `navigator.locks` when present. */
  readonly locks?: LockManager | null;
  /** A job running longer than this kills its worker (default: no limit; CPU bodies may legitimately run long). */
  readonly jobTimeoutMs?: number;
  /** Background problems: invalid messages, workers that keep dying. */
  readonly onError?: (error: Error) => void;
}

/** The job's worker died before it answered; the run did not happen (or its result is lost). */
export class PoolWorkerDiedError extends Error {
  override readonly name = 'PoolWorkerDiedError';
}

export interface ReactionPool extends ReactionRunner {
  readonly size: number;
  /** Jobs waiting for a free worker. */
  readonly queued: number;
  /** Workers replaced after dying, since the pool started. */
  readonly replaced: number;
  /** Invalid messages from workers, dropped. */
  readonly invalidMessages: number;
  /** Terminate every worker; queued and running jobs reject. */
  close(): void;
}

interface Pending {
  readonly job: ReactionJob;
  readonly resolve: (r: ReactionResult) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: PoolWorkerHandle;
  readonly deathwatch: AbortController;
  ready: boolean;
  running: (Pending & { readonly id: number; timer: ReturnType<typeof setTimeout> | null }) | null;
  dead: boolean;
}

/** Deaths in a row (no job finished in between) after which the pool stops respawning: the worker script is broken. */
const MAX_CONSECUTIVE_DEATHS = 5;

export function createReactionPool(options: ReactionPoolOptions): ReactionPool {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number; locks?: LockManager } }).navigator;
  const size = Math.max(1, Math.floor(options.size ?? nav?.hardwareConcurrency ?? 1));
  const locks = options.locks === undefined ? (nav?.locks ?? null) : options.locks;
  const onError = options.onError ?? ((e: Error) => log('pool error', e));
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let replaced = 0;
  let invalid = 0;
  let deathsInARow = 0;
  let closed = false;

  const spawn = (): Slot => {
    const worker = options.spawn();
    const slot: Slot = { worker, deathwatch: new AbortController(), ready: false, running: null, dead: false };
    const lock = locks ? `kinetic-mesh/pool-worker/${crypto.randomUUID()}` : null;
    worker.addEventListener('message', (event) => onMessage(slot, event.data, lock));
    worker.addEventListener('error', (event) => {
      // An uncaught error in the worker's scope (its script failed to load or threw at top level).
      const message = (event as ErrorEvent).message || 'pool worker error';
      died(slot, message);
    });
    worker.addEventListener('messageerror', () => {
      invalid++;
      onError(new Error('a pool worker sent a message that could not be deserialised'));
    });
    worker.postMessage({ type: 'init', lock });
    return slot;
  };

  const onMessage = (slot: Slot, data: unknown, lock: string | null): void => {
    const msg = parsePoolResponse(data);
    if (!msg) {
      invalid++;
      onError(new Error('invalid message from a pool worker (dropped)'));
      return;
    }
    if (msg.type === 'ready') {
      slot.ready = true;
      if (lock && locks) {
        locks
          .request(lock, { signal: slot.deathwatch.signal }, () => died(slot, 'pool worker is gone (its lock was released)'))
          .catch((e: unknown) => {
            if (!slot.deathwatch.signal.aborted) onError(e instanceof Error ? e : new Error(String(e)));
          });
      }
      pump();
      return;
    }
    finish(slot, msg);
  };

  const finish = (slot: Slot, msg: Exclude<PoolResponse, { type: 'ready' }>): void => {
    const run = slot.running;
    if (!run || run.id !== msg.id) {
      invalid++;
      return;
    }
    if (run.timer) clearTimeout(run.timer);
    slot.running = null;
    deathsInARow = 0;
    // The reactor ids in the result are plain strings on the wire; they are the ids the job carried.
    if (msg.type === 'done') run.resolve(msg.result as unknown as ReactionResult);
    else run.reject(errorFrom(msg.error));
    pump();
  };

  const died = (slot: Slot, why: string): void => {
    if (slot.dead) return;
    slot.dead = true;
    slot.deathwatch.abort();
    slot.worker.terminate();
    const run = slot.running;
    slot.running = null;
    if (run) {
      if (run.timer) clearTimeout(run.timer);
      run.reject(new PoolWorkerDiedError(`reaction "${run.job.reaction}" of ${run.job.reactorName}: ${why}`));
    }
    if (closed) return;
    const index = slots.indexOf(slot);
    if (++deathsInARow > MAX_CONSECUTIVE_DEATHS * size) {
      onError(new Error(`pool workers keep dying (${why}); not respawning`));
      if (index >= 0) slots.splice(index, 1);
      if (slots.length === 0) for (const p of queue.splice(0)) p.reject(new PoolWorkerDiedError(`no pool worker is alive: ${why}`));
      return;
    }
    log('replacing dead pool worker:', why);
    replaced++;
    if (index >= 0) slots[index] = spawn();
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (!slot.ready || slot.dead || slot.running) continue;
      const next = queue.shift();
      if (next) start(slot, next);
    }
  };

  const start = (slot: Slot, pending: Pending): void => {
    const { job } = pending;
    const id = nextId++;
    const timer = options.jobTimeoutMs === undefined ? null : setTimeout(() => died(slot, `job ran over ${options.jobTimeoutMs} ms`), options.jobTimeoutMs);
    slot.running = { ...pending, id, timer };
    slot.worker.postMessage({
      type: 'run',
      id,
      module: job.module as string,
      reactor: job.reactor,
      reaction: job.reaction,
      values: job.values,
      peer: job.peer,
    });
  };

  // Workers start with the first job, not with the pool: most rooms never run a `pool: true` reaction, and
  // Firefox now and then stalls a module worker that creates nested workers while it is starting up.
  let spawned = false;
  const spawnAll = (): void => {
    if (spawned) return;
    spawned = true;
    for (let i = 0; i < size; i++) slots.push(spawn());
  };

  return {
    size,
    get queued() {
      return queue.length;
    },
    get replaced() {
      return replaced;
    },
    get invalidMessages() {
      return invalid;
    },
    run(job) {
      if (closed) return Promise.reject(new Error('reaction pool is closed'));
      if (!job.module) {
        return Promise.reject(new Error(`reactor "${job.reactorName}" has no module URL: declare it with reactor({ ..., module: import.meta.url }) to use pool: true`));
      }
      spawnAll();
      if (slots.length === 0) return Promise.reject(new PoolWorkerDiedError('no pool worker is alive'));
      return new Promise<ReactionResult>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        pump();
      });
    },
    close() {
      if (closed) return;
      closed = true;
      for (const slot of slots) {
        slot.deathwatch.abort();
        slot.worker.terminate();
        if (slot.running?.timer) clearTimeout(slot.running.timer);
        slot.running?.reject(new Error('reaction pool closed'));
        slot.running = null;
      }
      for (const p of queue.splice(0)) p.reject(new Error('reaction pool closed'));
    },
  };
}
