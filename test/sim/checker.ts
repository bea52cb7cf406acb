// The invariant checker. It sees every entry every replica applied (by index) and every protocol fact the
// peers reported, in order, and replays the room's one committed history:
//   - agreement: no two replicas ever applied different entries at one index (acknowledged never undone);
//   - durable majority: when an entry is first applied anywhere, a majority of a configuration in effect
//     holds it in their stores (what survives crashes), whoever decided it — the sequencer or a learner;
//   - exactly-once: no molecule consumed twice, nor one that never existed; every output id is new;
//   - fenced outputs: every applied commit had a live claim of the same epoch when it was appended;
//   - outbox: every emission applied exactly once; every acknowledged commit is in the history;
//   - workloads: exactly one `count` at every committed state and final value = increments; map/reduce
//     = 338350; each peer saw the broadcast once; every chat message consumed once, by its addressee.
import type { DistributedMolecule } from '../../src/core/distributed-port';
import type { RoomHistoryEvent } from '../../src/dcm/context';
import type { Entry } from '../../src/dcm/entries';

export interface Violation {
  readonly rule: string;
  readonly detail: string;
}

interface Fact {
  readonly order: number;
  readonly at: number;
  readonly peer: string;
  readonly event: RoomHistoryEvent;
}

export interface WorkloadExpectations {
  readonly counterReactor: string;
  readonly mapReactor: string;
  readonly mapTotal: number;
  readonly broadcastReactor: string;
  /** Peers that emitted their `see` (each must see the broadcast exactly once). */
  readonly broadcastPeers: readonly string[];
  /** Chat reactor id → its owner. */
  readonly chatOwners: ReadonlyMap<string, string>;
}

interface Emission {
  readonly key: string;
  readonly reactor: string;
  readonly name: string;
  /** Its outbox write landed. */
  durable: boolean;
  /** A later emission used its key (this one was lost before it was durable). */
  superseded: boolean;
}

/** A live replica at the end of a run: its commit index, outbox and the molecules it holds. */
export interface LiveReplica {
  readonly peer: string;
  readonly commitIndex: number;
  readonly outbox: number;
  /** Committed molecule ids of (reactor, name) this replica holds; null when it is down. */
  holds(reactor: string, name: string): readonly string[] | null;
}

/** A chat message the workload sent: `key` is its emission's `source#seq`. */
export interface Chat {
  readonly to: string;
  readonly reactor: string;
  readonly n: number;
  readonly from: string;
  readonly key?: string | undefined;
}

export class Checker {
  readonly violations: Violation[] = [];
  /** Emissions lost in a crash before their outbox write landed (allowed: emit() never waits). */
  readonly lost = new Set<string>();
  readonly #canon = new Map<number, { entry: Entry; json: string }>();
  readonly #configs: { index: number; members: readonly string[] }[] = [];
  #replayed = 0;
  readonly #state = new Map<string, DistributedMolecule>();
  readonly #everCreated = new Set<string>();
  readonly #names = new Map<string, string>();
  readonly #emitApplied = new Map<string, number>();
  readonly #commits = new Map<string, { entry: Entry & { type: 'commit' }; index: number }>();
  readonly #facts: Fact[] = [];
  #counterSeen = false;
  #termEpoch = 0;
  readonly #emitContent = new Map<string, string>();
  #counters = 0;

  #fail(rule: string, detail: string): void {
    if (this.violations.length < 50) this.violations.push({ rule, detail });
  }

  get committed(): number {
    return this.#replayed;
  }

  /** The emission `source#seq` is not applied and its outbox write never landed (so far). */
  unappliedAndNotDurable(key: string): boolean {
    const e = this.#lastByKey.get(key);
    return e ? !this.#kept(e) : !this.#emitApplied.has(key);
  }

  /**
   * An emission is kept when its outbox write landed (durable), or when it was applied and no later
   * emission reused its key (a seq is reused only after an emission that never became durable was lost).
   */
  #kept(e: Emission): boolean {
    return e.durable || (!e.superseded && this.#emitApplied.has(e.key));
  }

  /** Emissions of (reactor, name) made and not lost (lost: never applied and never durable). */
  emissionsKept(reactor: string, name: string): number {
    let n = 0;
    for (const e of this.#emissions) if (e.reactor === reactor && e.name === name && this.#kept(e)) n++;
    return n;
  }

  readonly #historyOf = new Map<string, string>();
  readonly #histories = new Set<string>();

  /**
   * `peer` applied `index` holding the history named `genesis` (its status().genesis). A replica applies
   * entries of one history only, for good: named before its first entry, never another one after (its
   * store keeps the name); the first term entry carries that name; and a room has one history — this
   * simulation starts it once (only the first boot of the initial peers may), so a second is a fork.
   */
  appliedIn(peer: string, index: number, entry: Entry, genesis: string | undefined): void {
    if (!genesis) return this.#fail('history', `${peer} applied index ${index} holding no named history`);
    if (index === 1 && (entry.type !== 'term' || entry.genesis !== genesis)) this.#fail('history', `${peer} applied ${JSON.stringify(entry)} at index 1 of history ${genesis}`);
    const before = this.#historyOf.get(peer);
    if (before !== undefined && before !== genesis) this.#fail('history', `${peer} applied index ${index} of history ${genesis} after entries of ${before}`);
    this.#historyOf.set(peer, genesis);
    this.#histories.add(genesis);
    if (this.#histories.size === 2 && !before) this.#fail('history', `two histories of one room: ${[...this.#histories].join(', ')} (${peer} applied index ${index})`);
  }

  /** Some replica already applied `index`. */
  has(index: number): boolean {
    return this.#canon.has(index);
  }

  /** A replica applied `entry` at `index`. */
  applied(peer: string, index: number, entry: Entry): void {
    const json = JSON.stringify(entry);
    const known = this.#canon.get(index);
    if (known) {
      if (known.json !== json) this.#fail('agreement', `index ${index}: ${peer} applied ${json}, another replica ${known.json}`);
      return;
    }
    this.#canon.set(index, { entry, json });
    if (entry.type === 'config') this.#configs.push({ index, members: entry.members });
    while (this.#canon.has(this.#replayed + 1)) this.#replay(this.#replayed + 1, (this.#canon.get(this.#replayed + 1) as { entry: Entry }).entry);
  }

  /**
   * The first application of `index`: `stored(p)` says whether peer p's store holds that entry (or a
   * snapshot past it). A majority of the configuration in effect at that index (the last config entry at
   * or before it, the entry itself when it is one) must hold it — or, as Raft counts, of the newest
   * configuration in the deciding replica's own log (`newest`: a later config entry, in effect once appended;
   * single-member changes make consecutive majorities intersect). Never any other replica's view.
   */
  firstApplied(peer: string, index: number, entry: Entry, stored: (p: string) => boolean, newest: readonly string[]): void {
    const members = entry.type === 'config' ? entry.members : this.configAt(index);
    // Before the first configuration (the bootstrap term entry), the founder's own store is the majority.
    if (members.length === 0 && stored(peer)) return;
    const majority = (m: readonly string[]): boolean => m.length > 0 && m.filter(stored).length * 2 > m.length;
    if (majority(members) || majority(newest)) return;
    const shown = [members, newest].map((m) => `{${m.map((p) => `${p}${stored(p) ? '✓' : '✗'}`).join(' ')}}`).join(' ');
    this.#fail('durable-majority', `index ${index} (${entry.type}, epoch ${entry.epoch}) applied by ${peer} while stored on no majority of the configuration at that index: ${shown}`);
  }

  /** The configuration in effect at `index` (members of the last config entry before it in the history applied so far). */
  configAt(index: number): readonly string[] {
    let best: { index: number; members: readonly string[] } = { index: 0, members: [] };
    for (const c of this.#configs) if (c.index <= index && c.index >= best.index) best = c;
    return best.members;
  }

  readonly #emissions: Emission[] = [];
  readonly #lastByKey = new Map<string, Emission>();

  fact(at: number, peer: string, event: RoomHistoryEvent): void {
    if (event.type === 'emit-durable') {
      const e = this.#lastByKey.get(`${event.source}#${event.seq}`);
      if (e) e.durable = true;
    }
    if (event.type === 'emitted') {
      const e: Emission = { key: `${event.source}#${event.seq}`, reactor: event.reactor, name: event.name, durable: false, superseded: false };
      const before = this.#lastByKey.get(e.key);
      if (before) before.superseded = true;
      this.#lastByKey.set(e.key, e);
      this.#emissions.push(e);
    }
    this.#facts.push({ order: this.#facts.length, at, peer, event });
  }

  #replay(index: number, e: Entry): void {
    this.#replayed = index;
    if (e.type === 'term') {
      if (e.epoch <= this.#termEpoch) this.#fail('fencing', `index ${index}: term of epoch ${e.epoch} after a term of epoch ${this.#termEpoch}`);
      this.#termEpoch = e.epoch;
    } else if (e.epoch !== this.#termEpoch) this.#fail('fencing', `index ${index}: ${e.type} entry of epoch ${e.epoch} in the term of epoch ${this.#termEpoch}`);
    if (e.type === 'emit') {
      this.#emitContent.set(`${e.source}#${e.seq}`, `${e.molecule.reactor}/${e.molecule.name}`);
      const key = `${e.source}#${e.seq}`;
      const n = this.#emitApplied.get(key) ?? 0;
      this.#emitApplied.set(key, n + 1);
      if (n === 0) this.#create(index, e.molecule);
    } else if (e.type === 'commit') {
      // Fencing from the stored history itself: a commit is appended only by the sequencer of its epoch,
      // in that epoch's term, by the claim's holder.
      if (e.epoch !== this.#termEpoch) this.#fail('fencing', `index ${index}: commit ${e.claimId} of epoch ${e.epoch} in the term of epoch ${this.#termEpoch}`);
      for (const id of e.consumed) {
        if (!this.#state.has(id)) this.#fail('exactly-once', `index ${index}: ${e.reaction} consumed ${id}, which ${this.#everCreated.has(id) ? 'was already consumed' : 'never existed'}`);
        const m = this.#state.get(id);
        if (m && m.name === 'count' && m.reactor === this.#expect?.counterReactor) this.#counters--;
        this.#state.delete(id);
      }
      for (const m of e.produced) this.#create(index, m);
      if (this.#commits.has(e.claimId)) this.#fail('exactly-once', `claim ${e.claimId} committed twice`);
      this.#commits.set(e.claimId, { entry: e, index });
    }
    if (this.#counterSeen && this.#counters !== 1) this.#fail('counter', `index ${index}: ${this.#counters} count molecules in the room`);
  }

  #expect: WorkloadExpectations | null = null;
  expect(w: WorkloadExpectations): void {
    this.#expect = w;
  }

  #create(index: number, m: DistributedMolecule): void {
    if (this.#everCreated.has(m.id)) this.#fail('exactly-once', `index ${index}: molecule id ${m.id} created twice`);
    this.#everCreated.add(m.id);
    this.#names.set(m.id, `${m.reactor}\u0000${m.name}`);
    this.#state.set(m.id, m);
    if (m.name === 'count' && m.reactor === this.#expect?.counterReactor) {
      this.#counterSeen = true;
      this.#counters++;
    }
  }

  /** Molecules of (reactor, name) in the replayed committed state. */
  molecules(reactor: string, name: string): DistributedMolecule[] {
    return [...this.#state.values()].filter((m) => m.reactor === reactor && m.name === name);
  }

  /** Final checks over the whole history. `emitted` lists every emission the workload made. */
  finish(live: LiveReplica[], counterIncrements: number, chats: readonly Chat[]): Violation[] {
    const w = this.#expect;
    if (!w) throw new Error('checker: expect() not called');
    if (this.#canon.size !== this.#replayed) this.#fail('history', `replayed ${this.#replayed} of ${this.#canon.size} applied indices (gap in the history)`);
    // Convergence once healed.
    const indices = new Set(live.map((l) => l.commitIndex));
    if (indices.size > 1) this.#fail('convergence', `replicas at different commit indices: ${live.map((l) => `${l.peer}@${l.commitIndex}`).join(' ')}`);
    // Convergence of states, not only indices: every live replica holds exactly the replayed molecules.
    const names = new Set([...this.#everCreated].map((id) => this.#names.get(id) ?? ''));
    for (const l of live) {
      for (const key of names) {
        const [reactor = '', name = ''] = key.split('\u0000');
        const held = l.holds(reactor, name);
        if (held === null) continue;
        const want = this.molecules(reactor, name).map((m) => m.id as string).sort();
        const have = [...held].sort();
        if (want.join(',') !== have.join(',')) this.#fail('state', `${l.peer} holds ${name} [${have.join(',')}], the history says [${want.join(',')}]`);
      }
    }
    for (const l of live) if (l.outbox > 0) this.#fail('outbox', `${l.peer} still has ${l.outbox} undelivered emissions`);
    // Fencing: every applied commit had a live claim of its epoch when appended. A claim's state is followed
    // in order: the sequencer may grant a resent claim again after dropping it (its copies were still free),
    // so what counts is the claim's latest grant or drop before the commit's append.
    const claimNow = new Map<string, Fact>();
    const atAppend = new Map<string, Fact | undefined>();
    for (const f of this.#facts) {
      const e = f.event;
      if (e.type === 'claim-granted' || e.type === 'claim-dropped') claimNow.set(e.claimId, f);
      else if (e.type === 'commit-appended' && !atAppend.has(e.claimId)) atAppend.set(e.claimId, claimNow.get(e.claimId));
    }
    for (const [claimId, { entry, index }] of this.#commits) {
      const s = atAppend.get(claimId)?.event;
      if (s?.type === 'claim-dropped') this.#fail('fencing', `index ${index}: commit ${claimId} appended after its claim was dropped (${s.reason})`);
      else if (s?.type !== 'claim-granted' || s.epoch !== entry.epoch) this.#fail('fencing', `index ${index}: commit ${claimId} (epoch ${entry.epoch}) has no grant of its epoch`);
      else if (s.holder !== entry.holder) this.#fail('fencing', `commit ${claimId} by ${entry.holder}, claim held by ${s.holder}`);
    }
    // Acknowledged never undone.
    for (const f of this.#facts) {
      const e = f.event;
      if (e.type === 'commit-acknowledged' && !this.#commits.has(e.claimId)) this.#fail('acknowledged', `commit ${e.claimId} (${e.reaction}) acknowledged to ${f.peer} but not in the history`);
    }
    // Every durable emission applied exactly once, as itself; one may be lost only while its outbox write
    // had not landed (flush() not resolved).
    for (const e of this.#emissions) {
      if (!this.#kept(e)) {
        this.lost.add(e.key);
        continue;
      }
      const n = this.#emitApplied.get(e.key) ?? 0;
      if (n === 0) this.#fail('outbox', `emission ${e.key} (${e.name}) never applied`);
      const content = this.#emitContent.get(e.key);
      if (n > 0 && e.durable && content !== `${e.reactor}/${e.name}`) this.#fail('outbox', `emission ${e.key} (${e.reactor}/${e.name}) applied as ${content} (another peer used its key)`);
    }
    this.#checkWorkloads(w, counterIncrements, chats);
    return this.violations;
  }

  #checkWorkloads(w: WorkloadExpectations, increments: number, chats: readonly Chat[]): void {
    const counts = this.molecules(w.counterReactor, 'count');
    const incrLeft = this.molecules(w.counterReactor, 'incr').length;
    if (counts.length !== 1 || counts[0]?.value !== increments || incrLeft > 0)
      this.#fail('counter', `final count ${JSON.stringify(counts.map((c) => c.value))}, ${incrLeft} incr left, ${increments} increments emitted`);
    if (w.mapTotal > 0) {
      const results = this.molecules(w.mapReactor, 'result');
      const expected = (w.mapTotal * (w.mapTotal + 1) * (2 * w.mapTotal + 1)) / 6;
      const left = this.molecules(w.mapReactor, 'job').length + this.molecules(w.mapReactor, 'partial').length;
      if (results.length !== 1 || (results[0]?.value as { sum?: number } | undefined)?.sum !== expected || left > 0)
        this.#fail('mapreduce', `results ${JSON.stringify(results.map((r) => r.value))}, expected sum ${expected}, ${left} jobs/partials left`);
    }
    const seen = new Map<string, number>();
    for (const { entry } of this.#commits.values()) {
      if (entry.reaction === 'see-broadcast') seen.set(entry.holder, (seen.get(entry.holder) ?? 0) + 1);
    }
    for (const p of w.broadcastPeers) if (seen.get(p) !== 1) this.#fail('broadcast', `${p} saw the broadcast ${seen.get(p) ?? 0} times`);
    const roster = this.molecules(w.broadcastReactor, 'roster')[0]?.value as string[] | undefined;
    if (w.broadcastPeers.length && (!roster || roster.length !== w.broadcastPeers.length || new Set(roster).size !== roster.length))
      this.#fail('broadcast', `roster ${JSON.stringify(roster)} for peers ${w.broadcastPeers.join(',')}`);
    // Chat: each message consumed exactly once, by a `receive` run on its addressee.
    const received = new Map<string, string[]>();
    for (const { entry } of this.#commits.values()) {
      if (entry.reaction !== 'receive') continue;
      for (const id of entry.consumed) {
        const m = this.#consumedValue(id);
        if (m) received.set(`${m.from}/${m.n}`, [...(received.get(`${m.from}/${m.n}`) ?? []), entry.holder]);
      }
    }
    for (const c of chats) {
      if (c.key && this.lost.has(c.key)) continue;
      const by = received.get(`${c.from}/${c.n}`) ?? [];
      if (by.length !== 1 || by[0] !== c.to) this.#fail('chat', `message ${c.from}/${c.n} for ${c.to} received by [${by.join(',')}]`);
    }
  }

  readonly #values = new Map<string, { from: string; n: number }>();
  /** Chat payloads by molecule id (recorded as they were created). */
  #consumedValue(id: string): { from: string; n: number } | undefined {
    if (this.#values.size === 0) {
      for (const { entry } of this.#canon.values()) {
        if (entry.type === 'emit' && entry.molecule.name === 'inbox') this.#values.set(entry.molecule.id, entry.molecule.value as { from: string; n: number });
      }
    }
    return this.#values.get(id);
  }
}
