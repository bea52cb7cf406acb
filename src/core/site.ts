// One reactor loaded into one machine (Chymyst's "reaction site"): its slots, its reaction runtimes, the
// user's typed emitters and the shared `out` used by reaction bodies. Emitting into a site that is not
// loaded is an error; outputs of runs that finish after unload are dropped (their ctx.signal aborted).
import { PendingCall } from './call';
import { NoReplyError } from './errors';
import type { PeerId, ReactorId } from './ids';
import type { LoadedReactor } from './machine-api';
import { MoleculeHandle, type AnyMolecule, type CallOptions, type Emitters, type Out, type ReactorToken } from './molecule';
import type { ReactorDefinition } from './reactor';
import { unwrapReply } from './reply-failure';
import { ReactionRuntime, Slot } from './slot';
import { withTimeout } from './with-timeout';
import { assertValueWithinLimits, valueProblem, ValueLimitError } from './value-limits';
import type { Clock } from './clock';
import type { DistributedPort } from './distributed-port';
import type { Watch } from './soup-events';

/** What a loaded reactor asks of its machine. The Scheduler implements it; site.ts does not import the Scheduler. */
export interface SiteHost {
  readonly parts: { readonly clock: Clock; readonly port: DistributedPort };
  readonly watch: Pick<Watch, 'emitted'>;
  enqueue(slot: Slot, value: unknown): void;
  output(slot: Slot, value: unknown): void;
  slotOf(m: MoleculeHandle): Slot;
  emitted(m: MoleculeHandle, value: unknown): void;
  emitToRoom(m: MoleculeHandle, value: unknown): void;
}

type AnyEmitter = (value?: unknown, options?: CallOptions) => unknown;

export class Site<E = Record<string, AnyMolecule>> implements LoadedReactor<E> {
  loaded = true;
  readonly id: ReactorId;
  readonly name: string;
  readonly version: string;
  readonly token: ReactorToken | undefined;
  readonly slots: Slot[];
  readonly reactions: ReactionRuntime[];
  readonly abort = new AbortController();
  readonly emit: Emitters<E>;
  readonly #emitters: AnyEmitter[];

  constructor(
    readonly s: SiteHost,
    readonly definition: ReactorDefinition<E>,
    readonly peer: PeerId,
    private readonly onUnload: (id: ReactorId) => void,
  ) {
    this.id = definition.id;
    this.name = definition.name;
    this.version = definition.version;
    this.token = definition.molecules[0]?.owner;
    this.slots = definition.molecules.map((h) => new Slot(this, h));
    this.reactions = definition.reactions.map((spec) => {
      const ctx = { reactor: this.id, reaction: spec.name, peer, signal: this.abort.signal };
      const r = new ReactionRuntime(this, spec, (m) => this.slots[m.index] as Slot, ctx, this.out);
      for (const input of spec.inputs) {
        const slot = this.slots[input.molecule.index] as Slot;
        if (!input.molecule.distributed && !slot.consumers.includes(r)) slot.consumers.push(r);
      }
      return r;
    });
    this.#emitters = definition.molecules.map((h) => this.#emitterFor(h));
    const emit: Record<string, AnyEmitter> = {};
    for (const [key, h] of Object.entries(definition.exports as Record<string, MoleculeHandle>)) emit[key] = this.#emitters[h.index] as AnyEmitter;
    this.emit = emit as Emitters<E>;
  }

  /** The `out` of bodies of local reactions: outputs apply immediately (queued, drained in a loop). */
  readonly out: Out = ((m: AnyMolecule, v?: unknown): void => {
    if (!(m instanceof MoleculeHandle)) throw new Error('out(...) needs a molecule declared with r.molecule or r.latched');
    if (m.kind === 'blocking') throw new Error(`out(${m.name}): a reaction cannot emit a blocking molecule`);
    if (m.static) throw new Error(`static molecule "${m.name}" can only be re-emitted by a reaction that consumed it`);
    if (!this.loaded) return;
    if (m.distributed) return this.s.emitToRoom(m, v);
    this.s.output(m.owner === this.token ? (this.slots[m.index] as Slot) : this.s.slotOf(m), v);
  }) as Out;

  feed(name: string, value?: unknown): void {
    const h = this.#handle(name);
    if (h.kind === 'blocking') throw new Error(`molecule "${name}" of reactor "${this.name}" is blocking: use call()`);
    (this.#emitters[h.index] as AnyEmitter)(value);
  }

  call(name: string, arg?: unknown, options?: CallOptions): Promise<unknown> {
    const h = this.#handle(name);
    if (h.kind !== 'blocking') throw new Error(`molecule "${name}" of reactor "${this.name}" is not blocking: use feed()`);
    return (this.#emitters[h.index] as AnyEmitter)(arg, options) as Promise<unknown>;
  }

  unload(): void {
    this.onUnload(this.id);
  }

  /** Called by the machine: reject waiting callers, drop the soup, abort running bodies. */
  close(): void {
    this.loaded = false;
    this.abort.abort();
    for (const slot of this.slots) {
      for (const v of slot.bag.clear()) {
        if (v instanceof PendingCall) v.fail(new NoReplyError(v.molecule, `reactor "${this.name}" was unloaded before "${v.molecule}" was answered`));
      }
      slot.latest = undefined;
      slot.hasLatest = false;
    }
  }

  #handle(name: string): MoleculeHandle {
    const h = this.definition.molecule(name);
    if (!h) throw new Error(`reactor "${this.name}" has no molecule "${name}"`);
    return h;
  }

  #check(h: MoleculeHandle): void {
    if (!this.loaded) throw new Error(`cannot emit "${h.name}": reactor "${this.name}" is not loaded`);
  }

  #emitterFor(h: MoleculeHandle): AnyEmitter {
    const slot = this.slots[h.index] as Slot;
    const s = this.s;
    if (h.kind === 'blocking') return (arg, options) => this.#call(h, slot, arg, options);
    if (h.static) {
      return () => {
        throw new Error(`static molecule "${h.name}" is emitted by reactor "${this.name}" itself and re-emitted by its reactions; it cannot be emitted from outside`);
      };
    }
    if (h.distributed) {
      return (v) => {
        this.#check(h);
        assertValueWithinLimits(h.name, v);
        s.emitToRoom(h, v);
      };
    }
    return (v) => {
      if (!this.loaded) this.#check(h);
      s.enqueue(slot, v);
    };
  }

  #call(h: MoleculeHandle, slot: Slot, arg: unknown, options: CallOptions | undefined): Promise<unknown> {
    this.#check(h);
    const timeoutMs = options?.timeoutMs;
    const clock = this.s.parts.clock;
    if (h.distributed) {
      // Checked as it travels: wrapped in the call record (one level deeper than the argument itself).
      const why = valueProblem({ arg });
      if (why !== null) return Promise.reject(new ValueLimitError(`cannot call distributed molecule "${h.name}": its argument has ${why}`));
      if (this.s.watch.emitted) this.s.emitted(h, arg);
      const reply = this.s.parts.port.call(this.id, h.name, arg).then((v) => unwrapReply(h.name, v));
      if (timeoutMs === undefined) return reply;
      return withTimeout(reply, h.name, timeoutMs, clock);
    }
    const call = new PendingCall(arg, h.name);
    if (timeoutMs !== undefined) call.arm(clock, timeoutMs, (c) => slot.bag.remove(c));
    this.s.enqueue(slot, call);
    return call.promise;
  }
}
