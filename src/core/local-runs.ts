// Running reactions whose inputs are all local: the body runs inline (sync) or is awaited (async) or is
// handed to the ReactionRunner (pool). Outputs apply as they are emitted. Afterwards every consumed
// blocking molecule must have been answered and every consumed static molecule re-emitted exactly once.
import { PendingCall } from './call';
import { NoReplyError, asError } from './errors';
import type { AnyMolecule } from './molecule';
import type { ReactionResult } from './runner';
import type { RunExecutor, RunHost } from './run-host';
import type { ReactionRuntime } from './slot';
import { StaticOutputs } from './static-outputs';

export class LocalRuns implements RunExecutor {
  constructor(
    readonly s: RunHost,
    /** Where reactions with distributed inputs go (claims and commits). */
    private readonly distributed: { attempt(r: ReactionRuntime): boolean; claimsAhead(r: ReactionRuntime): boolean },
  ) {}

  attemptDistributed(r: ReactionRuntime): boolean {
    return this.distributed.attempt(r);
  }

  claimsAhead(r: ReactionRuntime): boolean {
    return this.distributed.claimsAhead(r);
  }

  start(r: ReactionRuntime, values: unknown[], attempt: number): void {
    const s = this.s;
    const runId = s.nextRunId();
    s.count('reactions');
    r.inflight++;
    if (s.watch.consumed && attempt === 1) this.#consumed(r, values, runId); // a retry re-uses consumed inputs
    if (s.watch.started) this.#started(r, values, runId, attempt);
    const t0 = s.watch.timing ? s.parts.clock.now() : 0;
    const statics = r.staticPositions.length > 0 ? new StaticOutputs(s, r) : undefined;
    if (r.spec.pool) return this.#pool(r, values, runId, t0, attempt, statics);
    let result: unknown;
    try {
      result = r.spec.body(values, statics ? statics.out : r.out, r.ctx);
    } catch (e) {
      return this.failed(r, values, e, runId, t0, attempt, statics);
    }
    if (result !== undefined && typeof (result as PromiseLike<void>).then === 'function') {
      this.#settle(
        result as PromiseLike<void>,
        () => this.finished(r, values, runId, t0, statics),
        (e) => this.failed(r, values, e, runId, t0, attempt, statics),
      );
      return;
    }
    this.finished(r, values, runId, t0, statics);
  }

  finished(r: ReactionRuntime, values: readonly unknown[], runId: number, t0: number, statics: StaticOutputs | undefined): void {
    const s = this.s;
    r.inflight--;
    if (r.blockingPositions.length > 0) this.#checkReplies(r, values, undefined);
    statics?.settle(values, true);
    if (s.watch.finished) {
      s.fire('reaction-finished', { ...this.#base(r), runId, ms: s.parts.clock.now() - t0, outcome: 'ok' });
    }
    if (r.capped) s.schedule(r);
  }

  failed(r: ReactionRuntime, values: unknown[], thrown: unknown, runId: number, t0: number, attempt: number, statics: StaticOutputs | undefined): void {
    const s = this.s;
    const error = asError(thrown);
    s.count('failures');
    const policy = r.spec.retry;
    const retrying = policy !== undefined && attempt < policy.attempts && r.site.loaded && !s.disposed;
    if (s.watch.failed) s.fire('reaction-failed', { ...this.#base(r), runId, ms: s.parts.clock.now() - t0, error, retried: retrying });
    if (retrying) {
      // Keep the concurrency slot and the inputs; run again after an exponential backoff.
      const delay = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
      s.busy(1);
      s.parts.clock.setTimeout(() => {
        r.inflight--;
        if (r.site.loaded && !s.disposed) this.start(r, values, attempt + 1);
        else this.#checkReplies(r, values, error);
        s.busy(-1);
        s.drain();
      }, delay);
      return;
    }
    r.inflight--;
    if (r.blockingPositions.length > 0) this.#checkReplies(r, values, error);
    statics?.settle(values, false);
    if (r.capped) s.schedule(r);
  }

  #pool(r: ReactionRuntime, values: unknown[], runId: number, t0: number, attempt: number, statics: StaticOutputs | undefined): void {
    const s = this.s;
    const definition = r.site.definition;
    const job = {
      reactor: r.ctx.reactor,
      reactorName: definition.name,
      module: definition.module,
      reaction: r.spec.name,
      values: values.map((v) => (v instanceof PendingCall ? v.value : v)),
      peer: s.parts.peer,
      definition,
    };
    this.#settle(
      s.parts.runner.run(job),
      (result) => {
        try {
          this.#apply(r, values, result, statics);
          this.finished(r, values, runId, t0, statics);
        } catch (e) {
          this.failed(r, values, e, runId, t0, attempt, statics);
        }
      },
      (e) => this.failed(r, values, e, runId, t0, attempt, statics),
    );
  }

  /** An asynchronous part of a run: the machine counts as busy until it settles, then drains. */
  #settle<T>(pending: PromiseLike<T>, ok: (value: T) => void, fail: (error: unknown) => void): void {
    const s = this.s;
    s.busy(1);
    pending.then(
      (value) => {
        ok(value);
        s.busy(-1);
        s.drain();
      },
      (e: unknown) => {
        fail(e);
        s.busy(-1);
        s.drain();
      },
    );
  }

  /** Apply a pool run's plain-data result as if the body had run here. */
  #apply(r: ReactionRuntime, values: readonly unknown[], result: ReactionResult, statics: StaticOutputs | undefined): void {
    if (!r.site.loaded) return;
    const out = (statics ? statics.out : r.out) as (m: AnyMolecule, v?: unknown) => void;
    for (const o of result.outputs) {
      const m = this.s.siteById(o.reactor)?.definition.molecule(o.molecule);
      if (!m) throw new Error(`pool run of "${r.spec.name}" emitted unknown molecule "${o.molecule}"`);
      out(m as unknown as AnyMolecule, o.value);
    }
    for (const rep of result.replies) (values[rep.input] as PendingCall | undefined)?.reply(rep.value);
  }

  /** Every consumed blocking molecule gets exactly one reply: reject the callers nobody answered. */
  #checkReplies(r: ReactionRuntime, values: readonly unknown[], cause: Error | undefined): void {
    for (const k of r.blockingPositions) {
      const call = values[k] as PendingCall;
      if (!call.pending) continue;
      const name = call.molecule;
      const why = cause
        ? `reaction "${r.spec.name}" failed before replying to "${name}": ${cause.message}`
        : r.site.loaded
          ? `reaction "${r.spec.name}" finished without replying to blocking molecule "${name}"`
          : `reactor of "${name}" was unloaded before reaction "${r.spec.name}" replied`;
      const error = new NoReplyError(name, why, cause ? { cause } : undefined);
      call.fail(error);
      if (!cause) this.s.error(error, r);
    }
  }

  #consumed(r: ReactionRuntime, values: readonly unknown[], runId: number): void {
    const base = this.#base(r);
    r.spec.inputs.forEach((input, k) => {
      if (input.molecule.kind === 'latched') return;
      const v = values[k];
      this.s.fire('consumed', { ...base, molecule: input.molecule.name, value: v instanceof PendingCall ? v.value : v, distributed: false, reaction: r.spec.name, runId });
    });
  }

  #started(r: ReactionRuntime, values: readonly unknown[], runId: number, attempt: number): void {
    const inputs = values.map((v) => (v instanceof PendingCall ? v.value : v));
    this.s.fire('reaction-started', { ...this.#base(r), reaction: r.spec.name, runId, inputs, attempt });
  }

  #base(r: ReactionRuntime): { peer: ReactionRuntime['ctx']['peer']; reactor: ReactionRuntime['ctx']['reactor']; reactorName: string; reaction: string } {
    return { peer: this.s.parts.peer, reactor: r.ctx.reactor, reactorName: r.site.name, reaction: r.spec.name };
  }
}
