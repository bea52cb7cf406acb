// The scheduler: emissions go into one queue that is drained in a loop (never recursion), each dequeued
// molecule enters its bag and only the reactions consuming it are tried (Chymyst's emission-driven search:
// other molecules are inert). Synchronous bodies run inline, without a Promise or task per reaction.
// Invariant after each step: no reaction is enabled by the molecule just added, because we keep firing
// its consumers until none matches (removing molecules never enables anything).
import { PendingCall } from './call';
import { DistributedRuns } from './distributed-runs';
import { NoReplyError } from './errors';
import { LocalRuns } from './local-runs';
import { findMatch, type SearchBudget, type Source } from './match';
import type { MachineStats } from './machine-api';
import type { MoleculeHandle, ReactorToken } from './molecule';
import type { RunCounter, RunExecutor, RunHost, SchedulerParts } from './run-host';
import { takeChosen, type ReactionRuntime, type Slot } from './slot';
import type { Site } from './site';
import { SoupEvents } from './soup-events';

/** Queue marker: re-try a slot's consumers without adding a copy (inputs returned by a refused claim). */
export const TRIGGER: unique symbol = Symbol('trigger');

export class Scheduler extends SoupEvents implements RunHost {
  readonly sites = new Map<ReactorToken, Site>();
  readonly budget: SearchBudget = { steps: 0, limit: 0, exhausted: false };
  readonly #counters: Record<RunCounter, number> = { reactions: 0, failures: 0, claimsRefused: 0, commitsFenced: 0 };
  /** Local runs; they hand reactions with distributed inputs to `distributed`. */
  readonly #runs: RunExecutor;
  /** Reactions with distributed inputs: claims, commits and the copies the room announces. */
  readonly distributed: DistributedRuns;
  #runSeq = 0;
  #disposed = false;
  // The emission queue: parallel arrays (no object per emission), live entries in [qHead, qTail).
  #qSlot: (Slot | undefined)[] = [];
  #qVal: unknown[] = [];
  #qHead = 0;
  #qTail = 0;
  #retries: ReactionRuntime[] = [];
  #draining = false;
  /** Async bodies, pool runs, claims and retry timers in flight: idle() waits for them. */
  #busy = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(readonly parts: SchedulerParts) {
    super(parts.peer);
    this.distributed = new DistributedRuns(this);
    this.#runs = new LocalRuns(this, this.distributed);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Nothing new starts from now on; runs in flight finish and their results are dropped. */
  dispose(): void {
    this.#disposed = true;
    this.distributed.dispose();
  }

  nextRunId(): number {
    return ++this.#runSeq;
  }

  count(counter: RunCounter): void {
    this.#counters[counter]++;
  }

  /** Put a copy (or a blocking call, or a latched value) into the soup and run what it enables. */
  enqueue(slot: Slot, value: unknown): void {
    const t = this.#qTail++;
    this.#qSlot[t] = slot;
    this.#qVal[t] = value;
    if (!this.#draining) this.drain();
  }

  /**
   * A run's output. Inside a drain (every synchronous body) it is just queued. From an async body's
   * continuation, a pool result or a commit it is drained two microtasks later instead of synchronously:
   * other reactions' bodies never run re-entrantly inside user code, and a run that ends right after its
   * last `out` reports its finish before anything its outputs enable starts (the event log reads causally).
   */
  output(slot: Slot, value: unknown): void {
    const t = this.#qTail++;
    this.#qSlot[t] = slot;
    this.#qVal[t] = value;
    if (this.#draining || this.#deferred) return;
    this.#deferred = true;
    this.busy(1);
    queueMicrotask(() =>
      queueMicrotask(() => {
        this.#deferred = false;
        this.busy(-1);
        this.drain();
      }),
    );
  }

  #deferred = false;

  /** Re-try a slot's consumers without adding a copy (inputs were put back by a refused claim). */
  enqueueTrigger(slot: Slot): void {
    this.enqueue(slot, TRIGGER);
  }

  /** Try a reaction again soon (its concurrency freed, or the room has new copies for it). */
  schedule(r: ReactionRuntime): void {
    if (r.queued) return;
    r.queued = true;
    this.#retries.push(r);
    if (!this.#draining) this.drain();
  }

  drain(): void {
    if (this.#draining || this.disposed) return;
    this.#draining = true;
    let steps = this.parts.sliceSteps;
    try {
      for (;;) {
        if (this.#qHead < this.#qTail) {
          const h = this.#qHead++;
          const slot = this.#qSlot[h] as Slot;
          const value = this.#qVal[h];
          this.#qSlot[h] = undefined;
          this.#qVal[h] = undefined;
          this.#arrive(slot, value);
        } else if (this.#retries.length > 0) {
          const r = this.#retries.shift() as ReactionRuntime;
          r.queued = false;
          while (this.tryReaction(r)) if (r.latchedOnly) break;
        } else break;
        if (--steps === 0) {
          this.#yieldSlice();
          break;
        }
      }
    } finally {
      this.#draining = false;
      if (this.#qHead === this.#qTail) {
        this.#qHead = 0;
        this.#qTail = 0;
        if (this.#qSlot.length > 65_536) {
          this.#qSlot = []; // a burst is over: do not hold its high-water mark forever
          this.#qVal = [];
        }
      }
    }
    this.checkIdle();
  }

  /** A long drain yields to the event loop so a reaction loop (`tick → tick`) cannot freeze the page. */
  #yieldSlice(): void {
    this.busy(1);
    this.parts.clock.setTimeout(() => {
      this.busy(-1);
      this.drain();
    }, 0);
  }

  #arrive(slot: Slot, value: unknown): void {
    if (!slot.site.loaded) {
      if (value instanceof PendingCall) value.fail(new NoReplyError(slot.handle.name, `reactor of "${slot.handle.name}" was unloaded`));
      return;
    }
    if (value !== TRIGGER) {
      if (slot.latched) {
        slot.latest = value;
        slot.hasLatest = true;
      } else {
        if (slot.blocking && !(value as PendingCall).pending) return; // timed out while queued
        slot.bag.push(value);
      }
      if (this.watch.emitted) this.emitted(slot.handle, slot.blocking ? (value as PendingCall).value : value);
    }
    if (slot.latched) this.#reactLatched(slot);
    else this.#react(slot, value !== TRIGGER);
  }

  /** `fresh`: triggered by a new copy (not returned inputs), so searches may pin it (see findMatch). */
  #react(slot: Slot, fresh: boolean): void {
    const cs = slot.consumers;
    const n = cs.length;
    if (n === 0) return;
    // Round-robin arbitration: the search starts just after the reaction that fired last, so a reaction
    // that stays enabled is served within n firings whatever the others do.
    for (;;) {
      let i = slot.rot;
      let fired = false;
      for (let k = 0; k < n; k++) {
        const r = cs[i] as ReactionRuntime;
        if (++i === n) i = 0;
        if (this.tryReaction(r, fresh ? slot : undefined)) {
          fired = true;
          break;
        }
      }
      if (!fired) return;
      fresh = false; // the fresh copy may be gone: later rounds search everything
      slot.rot = i;
      if (slot.bag.size === 0) return;
    }
  }

  /** A latched change fires each latched-only reader once, and mixed readers while their other inputs last. */
  #reactLatched(slot: Slot): void {
    for (const r of slot.consumers) {
      if (r.latchedOnly) this.tryReaction(r);
      else while (this.tryReaction(r));
    }
  }

  /**
   * Start `r` if it is enabled; true when it took inputs. `fresh`: the slot that just received a new copy.
   * Nothing was enabled before it arrived (the drain invariant), so if its molecule appears once in `r`'s
   * inputs, a match must use that copy: the search pins it instead of rescanning the whole bag.
   */
  tryReaction(r: ReactionRuntime, fresh?: Slot): boolean {
    if (!r.site.loaded || (r.inflight >= r.spec.concurrency && !(r.spec.distributed && this.#runs.claimsAhead(r)))) return false;
    if (r.fast) {
      const slots = r.fastSlots;
      const needs = r.fastNeeds;
      for (let k = 0; k < slots.length; k++) if ((slots[k] as Slot).bag.size < (needs[k] as number)) return false;
      const ins = r.slots as Slot[];
      const values = new Array<unknown>(ins.length);
      for (let k = 0; k < ins.length; k++) values[k] = (ins[k] as Slot).bag.shift();
      this.#runs.start(r, values, 1);
      return true;
    }
    if (r.spec.distributed) return r.waiting ? false : this.#runs.attemptDistributed(r);
    const slots = r.slots as Slot[];
    if (!this.search(r, slots, undefined, fresh ? r.pinFor(fresh) : -1, r.filters)) return false;
    this.#runs.start(r, takeChosen(slots, r.chosen), 1);
    return true;
  }

  /** Bounded guarded search over `sources`; fills `r.chosen`. */
  search(r: ReactionRuntime, sources: readonly Source[], offsets: readonly number[] | undefined, pinned = -1, filters?: readonly number[]): boolean {
    const b = this.budget;
    b.limit = b.steps + this.parts.searchBudget;
    b.exhausted = false;
    const found = findMatch(r.spec.inputs, sources, r.spec.guard, r.chosen, b, offsets, pinned, filters);
    if (b.exhausted) {
      this.error(new Error(`reaction "${r.spec.name}": search gave up after ${this.parts.searchBudget} candidates; it will be tried again on the next emission`), r);
    }
    return found;
  }

  /** The slot of a molecule of any reactor loaded here; emitting into a reactor that is not loaded is an error. */
  slotOf(m: MoleculeHandle): Slot {
    const site = this.sites.get(m.owner);
    if (!site || !site.loaded) throw new Error(`molecule "${m.name}" belongs to reactor "${m.owner.name}", which is not loaded in this machine`);
    return site.slots[m.index] as Slot;
  }

  siteById(id: string): Site | undefined {
    for (const site of this.sites.values()) if (site.id === id && site.loaded) return site;
    return undefined;
  }

  busy(delta: number): void {
    this.#busy += delta;
    if (delta < 0) this.checkIdle();
  }

  /**
   * Resolves once nothing is queued or in flight, and still nothing after a few microtask turns: the room
   * notifies on microtasks, so "idle" must outlast a notification that is about to schedule more work.
   */
  async idle(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => {
        this.#idleWaiters.push(resolve);
        this.checkIdle();
      });
      for (let i = 0; i < 4; i++) await Promise.resolve();
      if (this.#isIdle()) return;
    }
  }

  #isIdle(): boolean {
    return !this.#draining && this.#busy === 0 && this.#qHead === this.#qTail && this.#retries.length === 0;
  }

  checkIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    if (waiters.length === 0) return;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  emitted(m: MoleculeHandle, value: unknown): void {
    const site = this.sites.get(m.owner);
    if (!site) return;
    this.fire('emitted', { peer: this.parts.peer, reactor: site.id, reactorName: site.name, molecule: m.name, value, distributed: m.distributed });
  }

  /** Send a distributed molecule into the room (the port queues it in the outbox when offline). */
  emitToRoom(m: MoleculeHandle, value: unknown): void {
    const reactor = m.owner.id;
    if (reactor === undefined) throw new Error(`molecule "${m.name}" has no reactor id`);
    this.parts.port.emit(reactor, m.name, value);
    if (this.watch.emitted) this.emitted(m, value);
  }

  stats(): MachineStats {
    return { ...this.#counters, searchSteps: this.budget.steps };
  }
}
