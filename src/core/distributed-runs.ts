// Reactions with at least one distributed input: match local bags + the replica's available copies,
// tentatively take the local inputs, claim the distributed ones, run the body with buffered outputs, and
// apply local outputs and replies only once the port acknowledges the commit. Refused claims, fenced
// commits and throwing bodies return the local inputs; the reaction then waits for a room notification
// or a jittered exponential backoff (never a busy loop, and N peers do not retry in lockstep).
import { PendingCall } from './call';
import type { ClaimGrant, DistributedMolecule, DistributedOutput } from './distributed-port';
import { ClaimAhead } from './claim-ahead';
import { asError } from './errors';
import type { MoleculeId } from './ids';
import type { Source } from './match';
import { anyWillDo, FIRST_CANDIDATES, MAX_CANDIDATES, RoomSource } from './room-source';
import { RoomRun } from './room-run';
import type { RunHost } from './run-host';
import type { Site } from './site';
import { Slot, type ReactionRuntime } from './slot';

const MAX_BACKOFF_MS = 1000;
/**
 * Runs of one reaction whose body finished and whose commit awaits its acknowledgement. These no longer
 * count toward `concurrency` (pipelining: the next claim may start while the commit is in flight), but
 * they are bounded so an instant body cannot flood the sequencer with claims. The bound is what a chain
 * on one contended copy gets per replication round trip (the sequencer's host takes each next copy from
 * the log's uncommitted tail, and every link waits for its commit's quorum): at 16, a room of 40 whose
 * round trip is ~100 ms (paced appends, loaded replicas) counted at most ~160 increments a second.
 */
const MAX_COMMITTING = 128;
/**
 * The bound adapts per reaction (additive increase, multiplicative decrease, as TCP's window): it starts at
 * 16, grows by one per acknowledged commit up to MAX_COMMITTING, and halves (not below MIN_COMMITTING) on
 * every fenced one. A chain nobody else races for opens the whole window; hosts racing for the same copies
 * of a backlog (5 peers × 128 optimistic claims in flight: 2-3 fenced bodies per committed one in bench dcm)
 * shrink theirs until collisions are rare.
 */
const START_COMMITTING = 16;
const MIN_COMMITTING = 4;

export class DistributedRuns {
  /** Molecule ids this machine is claiming or holds: never offered to a second local run. */
  readonly #pending = new Set<MoleculeId>();
  /** `reactor \0 name` → reactions with that distributed input. */
  readonly #readers = new Map<string, ReactionRuntime[]>();
  readonly #unsubscribe: () => void;
  /** Runs per reaction whose body finished and whose commit is awaiting its acknowledgement. */
  readonly #committing = new Map<ReactionRuntime, number>();
  /** The adaptive bound on `#committing` per reaction (absent: START_COMMITTING). */
  readonly #window = new Map<ReactionRuntime, number>();
  /** One claim ahead for reactions with long bodies. */
  readonly #ahead = new ClaimAhead();

  constructor(readonly s: RunHost) {
    this.#unsubscribe = s.parts.port.subscribe((reactor, name) => this.#notified(reactor, name));
  }

  register(site: Site): void {
    for (const r of site.reactions) {
      if (!r.spec.distributed) continue;
      for (const input of r.spec.inputs) {
        if (!input.molecule.distributed) continue;
        const key = `${site.id}\0${input.molecule.name}`;
        const list = this.#readers.get(key) ?? [];
        if (!list.includes(r)) list.push(r);
        this.#readers.set(key, list);
      }
      this.s.schedule(r); // copies may already be in the room
    }
  }

  unregister(site: Site): void {
    for (const r of site.reactions) this.#window.delete(r);
    for (const r of site.reactions) this.#ahead.drop(r);
    for (const [key, list] of this.#readers) {
      const kept = list.filter((r) => r.site !== site);
      if (kept.length) this.#readers.set(key, kept);
      else this.#readers.delete(key);
    }
  }

  dispose(): void {
    this.#unsubscribe();
  }

  #notified(reactor: string, name: string): void {
    const list = this.#readers.get(`${reactor}\0${name}`);
    if (!list) return;
    for (const r of list) {
      r.waiting = false;
      this.s.schedule(r);
    }
  }

  /** May `r` claim although its bodies fill its concurrency (one claim ahead of a long body)? */
  claimsAhead(r: ReactionRuntime): boolean {
    return this.#ahead.canClaim(r);
  }

  /**
   * Commits of `r` that may await their acknowledgement at once. Long bodies pace their own claims (one per
   * body per slot), so the adaptive window, meant for instant bodies, would only idle them: on a loaded
   * machine an acknowledgement takes 100-400 ms (bench/app: 20 ms map bodies), a window halved by one
   * fenced body to 8 then let a peer run 8 bodies per acknowledgement and wait out the rest.
   */
  #bound(r: ReactionRuntime): number {
    return this.#ahead.long(r) ? MAX_COMMITTING : (this.#window.get(r) ?? START_COMMITTING);
  }

  /** Try to start one run of `r`; true when it took inputs and sent a claim. */
  attempt(r: ReactionRuntime): boolean {
    if ((this.#committing.get(r) ?? 0) >= this.#bound(r)) return false; // rescheduled when one ends
    const s = this.s;
    const site = r.site as Site;
    const port = s.parts.port;
    const inputs = r.spec.inputs;
    // After a refusal the window may hold only copies that are not really there (an emit still on its way,
    // taken meanwhile): the next tries look at every candidate again, until a claim goes through.
    let sources = this.#sources(r, r.refusals > 0 ? MAX_CANDIDATES : anyWillDo(r) ? 0 : FIRST_CANDIDATES);
    if (!sources) return false;
    if (!this.#search(r, sources)) {
      if (!sources.some((src) => src instanceof RoomSource && src.truncated)) return false;
      sources = this.#sources(r, MAX_CANDIDATES);
      if (!sources || !this.#search(r, sources)) return false;
    }
    const chosen = r.chosen;
    const values = new Array<unknown>(inputs.length);
    const copies: (DistributedMolecule | undefined)[] = new Array<DistributedMolecule | undefined>(inputs.length);
    const localPositions: number[] = [];
    for (let k = 0; k < inputs.length; k++) {
      const src = sources[k] as Source;
      if (src instanceof RoomSource) {
        const copy = src.copies[chosen[k] as number];
        copies[k] = copy;
        values[k] = copy?.value;
      } else {
        values[k] = src.item(chosen[k] as number);
        if (src.consumable) localPositions.push(k);
      }
    }
    localPositions.sort((a, b) => (chosen[b] as number) - (chosen[a] as number));
    for (const k of localPositions) (sources[k] as Slot).bag.removeAt(chosen[k] as number);
    // Built by push, not filter + map: the arrays filter + map made did not all have one V8 map, and the loops
    // over them here and in requester.ts were deoptimized ("wrong map") and recompiled again and again, still
    // in a room's 12th round of 2,000 (`attempt` alone takes ~50 ms to compile). Counted over rounds 3-12 of
    // bench dcm's 5 processes with --trace-deopt: 4 + 1 + 3 such deopts of attempt, #end and #finish before, 0 + 0 + 1 after.
    const ids: MoleculeId[] = [];
    for (const c of copies) if (c !== undefined) ids.push(c.id);
    for (const id of ids) this.#pending.add(id);
    // Beyond the concurrency only as the claim ahead of a long body; its body waits for a slot.
    const ahead = r.inflight >= r.spec.concurrency;
    if (ahead) this.#ahead.begin(r);
    else r.inflight++;
    s.busy(1);
    const run = new RoomRun(s, r, values, copies, s.nextRunId());
    port.claim(site.id, r.spec.name, ids).then(
      (grant) => this.#granted(run, ids, grant, ahead),
      (e: unknown) => {
        s.error(asError(e), r);
        this.#granted(run, ids, null, ahead);
      },
    );
    return true;
  }

  /**
   * One source per input: its local bag, or the room's copies (shared by repeated inputs, `n + n`, so they
   * take distinct copies). Null as soon as one input has nothing to offer (every input needs a copy): local
   * bags are looked at first, then the room's names in input order, so a reaction waiting for a copy held
   * elsewhere (a counter's lone `count`) does not walk the room's thousand `incr` copies on every notice.
   */
  #sources(r: ReactionRuntime, limit: number): Source[] | null {
    const inputs = r.spec.inputs;
    for (const local of r.slots) if (local && local.size === 0) return null;
    const port = this.s.parts.port;
    const site = r.site as Site;
    const room = new Map<string, RoomSource>();
    const sources: Source[] = [];
    const localDemand = r.slots.some(Boolean); // a local input is present (checked above): only we can run it
    for (const [k, input] of inputs.entries()) {
      const local = r.slots[k];
      if (local) {
        sources.push(local);
        continue;
      }
      const name = input.molecule.name;
      let src = room.get(name);
      if (!src) {
        let need = 0; // (a loop, not filter: this runs on every attempt)
        for (const i of inputs) if (i.molecule.distributed && i.molecule.name === name) need++;
        room.set(name, (src = new RoomSource(port.available(site.id, name, need, localDemand), this.#pending, input.molecule.kind === 'blocking', Math.max(limit, need))));
        if (src.size === 0) return null;
      }
      sources.push(src);
    }
    return sources;
  }

  #search(r: ReactionRuntime, sources: readonly Source[]): boolean {
    const offsets = sources.map((src) => (src instanceof RoomSource ? Math.floor(this.s.parts.random.next() * src.size) : 0));
    return this.s.search(r, sources, offsets);
  }

  /** `ahead`: a claim beyond the concurrency, not counted in `inflight` until its body starts. */
  #granted(run: RoomRun, ids: readonly MoleculeId[], grant: ClaimGrant | null, ahead: boolean): void {
    const { s, r } = run;
    if (!grant || !r.site.loaded || s.disposed) {
      if (grant) this.#release(run, grant);
      return this.#giveBack(run, ids, ahead, !grant);
    }
    r.refusals = 0;
    if (ahead) {
      if (r.inflight >= r.spec.concurrency) return this.#park(run, ids, grant);
      this.#ahead.end(r);
      r.inflight++;
    }
    const t0 = s.parts.clock.now();
    // A long body: claim the next copy while this one runs.
    if (this.#ahead.long(r)) s.schedule(r);
    void run.execute().then(async (outcome) => {
      this.#ahead.observe(r, s.parts.clock.now() - t0);
      if (outcome.kind === 'threw') {
        this.#release(run, grant);
        run.reportFailure(outcome.error);
        this.#end(run, ids, 'returned');
        return;
      }
      // The body is done: only the acknowledgement is pending, so the run stops counting toward the
      // reaction's concurrency and the next claim may start now. Consumption is still decided by the
      // sequencer, this run's inputs stay pending here, and its outputs are applied only on the ack.
      r.inflight--;
      this.#committing.set(r, (this.#committing.get(r) ?? 0) + 1);
      this.#ahead.slotFreed(r);
      if (r.site.loaded && !s.disposed) s.schedule(r);
      const ok = await this.#commit(run, grant, outcome.outputs);
      const left = (this.#committing.get(r) ?? 1) - 1;
      if (left > 0) this.#committing.set(r, left);
      else this.#committing.delete(r);
      r.inflight++; // #end releases it
      const w = this.#window.get(r) ?? START_COMMITTING;
      this.#window.set(r, ok ? Math.min(MAX_COMMITTING, w + 1) : Math.max(MIN_COMMITTING, Math.floor(w / 2)));
      if (ok) {
        run.applyCommitted();
        this.#end(run, ids, 'committed');
      } else {
        s.count('commitsFenced');
        run.reportFenced();
        this.#end(run, ids, 'returned');
      }
    });
  }

  /**
   * A granted claim ahead waits for a body slot of its reaction (every slot freed re-checks; #end frees
   * one only in name after a commit). Refused or fenced while it waits, the claim is given back and its
   * copies return at once: no body runs for nothing.
   */
  #park(run: RoomRun, ids: readonly MoleculeId[], grant: ClaimGrant): void {
    const { s, r } = run;
    let unpark = (): boolean => false;
    const start = (): void => {
      if (r.inflight >= r.spec.concurrency && r.site.loaded && !s.disposed) unpark = this.#ahead.park(r, start);
      else this.#granted(run, ids, grant, true);
    };
    unpark = this.#ahead.park(r, start);
    void s.parts.port.decided?.(grant).then((granted) => {
      if (granted || !unpark()) return;
      this.#release(run, grant);
      this.#giveBack(run, ids, true, true);
    });
  }

  /** The run ends before its body: the claim was refused (or released); its local inputs go back. */
  #giveBack(run: RoomRun, ids: readonly MoleculeId[], ahead: boolean, refused: boolean): void {
    const { s, r } = run;
    if (refused) s.count('claimsRefused');
    if (ahead) {
      this.#ahead.end(r);
      r.inflight++; // #end releases it
    }
    this.#end(run, ids, 'returned');
  }

  /** Return claimed copies to the room; a port failure here is reported, never allowed to strand the run. */
  #release(run: RoomRun, grant: ClaimGrant): void {
    try {
      this.s.parts.port.release(grant);
    } catch (e) {
      this.s.error(asError(e), run.r);
    }
  }

  async #commit(run: RoomRun, grant: ClaimGrant, outputs: readonly DistributedOutput[]): Promise<boolean> {
    try {
      return await this.s.parts.port.commit(grant, outputs);
    } catch (e) {
      // Not acknowledged: treat as fenced (the port must never apply a commit it reports as failed).
      this.s.error(asError(e), run.r);
      return false;
    }
  }

  #end(run: RoomRun, ids: readonly MoleculeId[], how: 'committed' | 'returned'): void {
    const { s, r } = run;
    for (const id of ids) this.#pending.delete(id);
    r.inflight--;
    this.#ahead.slotFreed(r);
    if (how === 'returned') {
      this.#returnLocal(run);
      this.#backoff(r);
    } else {
      s.schedule(r);
    }
    s.busy(-1);
    s.drain();
  }

  /** Put tentatively taken local inputs back as the oldest copies and let other reactions see them. */
  #returnLocal(run: RoomRun): void {
    const { r, values } = run;
    if (!r.site.loaded) {
      for (const v of values) if (v instanceof PendingCall) v.fail(new Error(`reactor "${r.site.name}" was unloaded`));
      return;
    }
    const touched = new Set<Slot>();
    for (let k = values.length - 1; k >= 0; k--) {
      const slot = r.slots[k];
      if (!slot || !slot.consumable) continue;
      const v = values[k];
      if (v instanceof PendingCall && !v.pending) continue; // the caller gave up meanwhile
      slot.bag.unshift(v);
      touched.add(slot);
    }
    for (const slot of touched) this.s.enqueueTrigger(slot);
  }

  /** Wait before trying `r` again: a room notification or a jittered exponential backoff, whichever first. */
  #backoff(r: ReactionRuntime): void {
    r.waiting = true;
    r.refusals++;
    const s = this.s;
    const delay = Math.min(MAX_BACKOFF_MS, 2 ** Math.min(r.refusals, 10)) * (0.5 + s.parts.random.next());
    s.parts.clock.setTimeout(() => {
      if (!r.waiting || !r.site.loaded || s.disposed) return;
      r.waiting = false;
      s.schedule(r);
    }, delay);
  }
}
