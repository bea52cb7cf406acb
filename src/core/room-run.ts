// One granted run of a reaction with distributed inputs. Everything the body does is buffered: distributed
// outputs and replies to remote callers become the commit's outputs; local outputs and local replies wait
// until the commit is acknowledged, because a fenced run must leave no trace (DESIGN: fenced outputs).
import { PendingCall } from './call';
import type { DistributedCall, DistributedMolecule, DistributedOutput } from './distributed-port';
import { NoReplyError, asError } from './errors';
import { MoleculeHandle, type AnyMolecule, type Call, type Out } from './molecule';
import { replyFailure } from './reply-failure';
import type { RunHost } from './run-host';
import { assertValueWithinLimits } from './value-limits';
import type { ReactionRuntime, Slot } from './slot';

export type RoomRunOutcome = { readonly kind: 'ok'; readonly outputs: readonly DistributedOutput[] } | { readonly kind: 'threw'; readonly error: Error };

export class RoomRun {
  readonly #roomOut: DistributedOutput[] = [];
  readonly #localOut: [Slot, unknown][] = [];
  readonly #localReplies: [PendingCall, unknown][] = [];
  readonly #answered: boolean[];
  #t0 = 0;

  constructor(
    readonly s: RunHost,
    readonly r: ReactionRuntime,
    /** Inputs as matched: local values / PendingCalls, distributed copies' values. */
    readonly values: readonly unknown[],
    readonly copies: readonly (DistributedMolecule | undefined)[],
    readonly runId: number,
  ) {
    this.#answered = values.map(() => false);
  }

  readonly out: Out = ((m: AnyMolecule, v?: unknown): void => {
    if (!(m instanceof MoleculeHandle)) throw new Error('out(...) needs a molecule declared with r.molecule or r.latched');
    if (m.kind === 'blocking') throw new Error(`out(${m.name}): a reaction cannot emit a blocking molecule`);
    if (m.static) throw new Error(`static molecule "${m.name}" can only be re-emitted by a reaction that consumed it`);
    if (m.distributed) {
      if (m.owner.id === undefined) throw new Error(`molecule "${m.name}" has no reactor id`);
      assertValueWithinLimits(m.name, v);
      this.#roomOut.push({ kind: 'molecule', reactor: m.owner.id, name: m.name, value: v });
    } else this.#localOut.push([this.s.slotOf(m), v]);
  }) as Out;

  /** What guards, events and pool jobs see per input: blocking inputs show their argument. */
  #key(k: number): unknown {
    const v = this.values[k];
    if (v instanceof PendingCall) return v.value;
    return this.copies[k] && this.r.spec.inputs[k]?.molecule.kind === 'blocking' ? (v as DistributedCall).arg : v;
  }

  #call(k: number): Call<unknown, unknown> {
    const v = this.values[k];
    const answer = (deliver: () => void): boolean => {
      if (this.#answered[k]) return false;
      this.#answered[k] = true;
      deliver();
      return true;
    };
    if (v instanceof PendingCall) {
      return { value: v.value, reply: (x) => v.pending && answer(() => this.#localReplies.push([v, x])) };
    }
    const dc = v as DistributedCall;
    const name = this.r.spec.inputs[k]?.molecule.name ?? 'call';
    const reply = (x: unknown): boolean => {
      assertValueWithinLimits(`${name}'s reply`, x);
      return answer(() => this.#roomOut.push({ kind: 'reply', to: dc.replyTo, callId: dc.callId, value: x }));
    };
    return { value: dc.arg, reply };
  }

  /** Run the body (inline or in the pool); never rejects. */
  async execute(): Promise<RoomRunOutcome> {
    const { s, r } = this;
    const inputs = r.spec.inputs;
    s.count('reactions');
    if (s.watch.started) {
      s.fire('reaction-started', { ...this.#base(), runId: this.runId, inputs: inputs.map((_, k) => this.#key(k)), attempt: 1 });
    }
    this.#t0 = s.parts.clock.now();
    const calls = r.blockingPositions.map((k) => [k, this.#call(k)] as const);
    try {
      if (r.spec.pool) await this.#pool(new Map(calls));
      else {
        const args = this.values.slice();
        for (const [k, call] of calls) args[k] = call;
        await r.spec.body(args, this.out, r.ctx);
      }
    } catch (e) {
      return { kind: 'threw', error: asError(e) };
    }
    for (const k of r.blockingPositions) {
      const v = this.values[k];
      if (this.#answered[k] || v instanceof PendingCall) continue;
      // A remote caller must still get exactly one answer: a failure marker its machine turns into a rejection.
      const dc = v as DistributedCall;
      const why = `reaction "${r.spec.name}" finished without replying to blocking molecule "${inputs[k]?.molecule.name ?? '?'}"`;
      this.#roomOut.push({ kind: 'reply', to: dc.replyTo, callId: dc.callId, value: replyFailure(why) });
      s.error(new Error(why), r);
    }
    return { kind: 'ok', outputs: this.#roomOut };
  }

  async #pool(calls: ReadonlyMap<number, Call<unknown, unknown>>): Promise<void> {
    const { s, r } = this;
    const definition = r.site.definition;
    const result = await s.parts.runner.run({
      reactor: r.ctx.reactor,
      reactorName: definition.name,
      module: definition.module,
      reaction: r.spec.name,
      values: this.values.map((_, k) => this.#key(k)),
      peer: s.parts.peer,
      definition,
    });
    const out = this.out as (m: AnyMolecule, v?: unknown) => void;
    for (const o of result.outputs) {
      const m = (o.reactor === r.ctx.reactor ? definition : s.siteById(o.reactor)?.definition)?.molecule(o.molecule);
      if (!m) throw new Error(`pool run of "${r.spec.name}" emitted unknown molecule "${o.molecule}"`);
      out(m as unknown as AnyMolecule, o.value);
    }
    for (const rep of result.replies) calls.get(rep.input)?.reply(rep.value);
  }

  /** The commit was acknowledged: local outputs and replies take effect now. */
  applyCommitted(): void {
    const { s, r } = this;
    if (!r.site.loaded) {
      for (const v of this.values) if (v instanceof PendingCall) v.fail(new NoReplyError(v.molecule, `reactor "${r.site.name}" was unloaded`));
      return;
    }
    for (const [pc, x] of this.#localReplies) pc.reply(x);
    for (const k of r.blockingPositions) {
      const v = this.values[k];
      if (v instanceof PendingCall && v.pending) {
        const error = new NoReplyError(v.molecule, `reaction "${r.spec.name}" finished without replying to blocking molecule "${v.molecule}"`);
        v.fail(error);
        s.error(error, r);
      }
    }
    if (s.watch.consumed) {
      r.spec.inputs.forEach((input, k) => {
        if (input.molecule.kind === 'latched') return;
        s.fire('consumed', { ...this.#base(), runId: this.runId, molecule: input.molecule.name, value: this.#key(k), distributed: input.molecule.distributed });
      });
    }
    if (s.watch.emitted) {
      for (const o of this.#roomOut) {
        const m = o.kind === 'molecule' ? s.siteById(o.reactor)?.definition.molecule(o.name) : undefined;
        if (m) s.emitted(m, o.value);
      }
    }
    for (const [slot, v] of this.#localOut) s.output(slot, v);
    if (s.watch.finished) s.fire('reaction-finished', { ...this.#base(), runId: this.runId, ms: s.parts.clock.now() - this.#t0, outcome: 'ok' });
  }

  reportFailure(error: Error): void {
    const s = this.s;
    s.count('failures');
    if (s.watch.failed) s.fire('reaction-failed', { ...this.#base(), runId: this.runId, ms: s.parts.clock.now() - this.#t0, error, retried: true });
  }

  reportFenced(): void {
    const s = this.s;
    if (s.watch.finished) s.fire('reaction-finished', { ...this.#base(), runId: this.runId, ms: s.parts.clock.now() - this.#t0, outcome: 'fenced' });
  }

  #base(): { peer: ReactionRuntime['ctx']['peer']; reactor: ReactionRuntime['ctx']['reactor']; reactorName: string; reaction: string } {
    return { peer: this.s.parts.peer, reactor: this.r.ctx.reactor, reactorName: this.r.site.name, reaction: this.r.spec.name };
  }
}
