// A hostile peer: it holds the room key (it is on the network like any peer) and runs modified code. It
// listens to what the sequencer replicates to it and attacks with what it learned (docs/protocol.md, fault
// model): appends forged under a far higher epoch, a recover with an epoch near 2^53 (poisoning every
// promise), emits under another peer's outbox source and its next seqs, very deep or very large values,
// epochs near 2^53 reported in a refused append-ack and in promise refusals, and commits and claims under
// other peers' next claim ids (test/attacks has each as a deterministic regression).
// The honest peers' guarantees must hold throughout; the checker judges them, not this file.
import type { Random } from '../../src/core/clock';
import { asClaimId, asEpoch, asMoleculeId, asReactorId, type MoleculeId, type PeerId, type ReactorId } from '../../src/core/ids';
import type { Entry } from '../../src/dcm/entries';
import type { MemoryNetwork, MemoryTransport } from '../../src/mesh/memory';
import type { VirtualScheduler } from './scheduler';

interface Learned {
  epoch: number;
  leader: PeerId | null;
  lastIndex: number;
  lastEpoch: number;
  /** A live molecule id per (reactor, name) and the reactor of `count`/`incr`. */
  readonly molecules: Map<string, { id: MoleculeId; reactor: ReactorId; name: string }>;
  /** Highest seq seen per outbox source. */
  readonly sources: Map<string, number>;
  /** Per claim-id prefix (`<peer>:<incarnation>:`), the highest claim counter seen in a commit entry. */
  readonly claims: Map<string, number>;
}

export class HostilePeer {
  readonly #transport: MemoryTransport;
  readonly #random: Random;
  readonly #say: (s: string) => void;
  readonly #self: PeerId;
  readonly #learned: Learned = { epoch: 0, leader: null, lastIndex: 0, lastEpoch: 0, molecules: new Map(), sources: new Map(), claims: new Map() };
  #stopped = false;
  /** Refuses recovers with a poisoned epoch once it attacked. */
  #armed = false;
  #seq = 0;

  constructor(self: PeerId, sched: VirtualScheduler, network: MemoryNetwork, random: Random, say: (s: string) => void) {
    this.#self = self;
    this.#random = random;
    this.#say = say;
    this.#transport = network.transport(self);
    this.#transport.on('message', ({ from, message }) => this.#learn(from, message));
    sched.at(0, () => void this.#transport.connect());
  }

  stop(): void {
    this.#stopped = true;
  }

  #learn(from: PeerId, raw: unknown): void {
    const all = (raw as { type?: string; messages?: unknown[] }).type === 'batch' ? ((raw as { messages: unknown[] }).messages ?? []) : [raw];
    for (const m of all as { type?: string; epoch?: number; leader?: PeerId; prevIndex?: number; entries?: Entry[] }[]) {
      // A candidate asks for our promise: refuse it with an epoch near 2^53 (believed, it would make the
      // candidate's election ask the server for a term no peer accepts).
      if (m.type === 'recover' && !this.#stopped && this.#armed) {
        this.#transport.send(from, { v: 1, type: 'promise', epoch: Number.MAX_SAFE_INTEGER - 1, ok: false, lastIndex: 0, lastEpoch: 0, commitIndex: 0, base: 0, members: [] });
      }
      if (m.type !== 'append' || !m.entries || m.epoch === undefined) continue;
      const l = this.#learned;
      l.epoch = Math.max(l.epoch, m.epoch);
      l.leader = from;
      m.entries.forEach((e, k) => {
        const index = (m.prevIndex ?? 0) + 1 + k;
        if (index > l.lastIndex) [l.lastIndex, l.lastEpoch] = [index, e.epoch];
        if (e.type === 'emit') {
          l.sources.set(e.source, Math.max(l.sources.get(e.source) ?? 0, e.seq));
          l.molecules.set(`${e.molecule.reactor}/${e.molecule.name}`, { id: e.molecule.id, reactor: e.molecule.reactor, name: e.molecule.name });
        }
        const c = e.type === 'commit' ? /^(.*:)c(\d+)$/.exec(e.claimId) : null;
        if (c) l.claims.set(c[1] as string, Math.max(l.claims.get(c[1] as string) ?? 0, Number(c[2])));
        if (e.type === 'commit') for (const p of e.produced) l.molecules.set(`${p.reactor}/${p.name}`, { id: p.id, reactor: p.reactor, name: p.name });
      });
    }
  }

  #toAll(message: unknown): void {
    for (const p of this.#transport.peers()) this.#transport.send(p, message);
  }

  /** One attack of each kind, against whatever it learned so far. */
  attack(): void {
    if (this.#stopped) return;
    const l = this.#learned;
    const own = `${this.#self}~evil`;
    const some = [...l.molecules.values()];
    const victim = some[Math.floor(this.#random.next() * some.length)];
    // 5: act as sequencer under an epoch far above the one in use, with a commit that consumes a live molecule
    // and an emit that adds one, "committed" at once.
    const epoch = asEpoch(l.epoch + 1000);
    const seq = ++this.#seq;
    const forged: Entry[] = [
      { type: 'term', epoch, leader: this.#self },
      { type: 'emit', epoch, source: own, seq, molecule: { id: asMoleculeId(`${own}:${seq}`), reactor: victim?.reactor ?? asReactorId('r'), name: victim?.name ?? 'count', value: 999 } },
    ];
    if (victim) forged.push({ type: 'commit', epoch, claimId: asClaimId(`evil.${seq}`), holder: this.#self, reaction: 'evil', consumed: [victim.id], produced: [], replies: [] });
    this.#toAll({ v: 1, type: 'append', epoch, leader: this.#self, prevIndex: l.lastIndex, prevEpoch: l.lastEpoch, entries: forged, commitIndex: l.lastIndex + forged.length, durable: l.lastIndex + forged.length });
    // 6: a poisoned epoch near 2^53, then ask for everyone's log under it.
    this.#toAll({ v: 1, type: 'recover', epoch: Number.MAX_SAFE_INTEGER - 1, owner: `${this.#self}~x` });
    this.#toAll({ v: 1, type: 'recover', epoch: l.epoch + 1 + Math.floor(this.#random.next() * 3) });
    // 7: emits under another peer's source and its next seqs (to the sequencer: the one that appends them).
    const borrowed = [...l.sources.entries()].filter(([s]) => !s.startsWith(`${this.#self}~`));
    const [source, max] = borrowed[Math.floor(this.#random.next() * borrowed.length)] ?? ['p0~0', 0];
    const items = [1, 2, 3].map((d) => ({ source, seq: max + d, molecule: { id: `${source}:${max + d}`, reactor: victim?.reactor ?? 'r', name: victim?.name ?? 'incr', value: 1 } }));
    if (l.leader) this.#transport.send(l.leader, { v: 1, type: 'emit', items });
    // Deep and large values under its own source (value limits themselves are src/core's and the mesh's).
    let deep: unknown = 0;
    for (let i = 0; i < 1000; i++) deep = [deep];
    const big = 'x'.repeat(200_000);
    const junk = [deep, big].map((value) => {
      const s = ++this.#seq;
      return { source: own, seq: s, molecule: { id: `${own}:${s}`, reactor: 'evil-reactor', name: 'junk', value } };
    });
    if (l.leader) this.#transport.send(l.leader, { v: 1, type: 'emit', items: junk });
    // A refused append-ack reporting an epoch near 2^53 to the sequencer (believed, it ends the elections).
    if (l.leader) this.#transport.send(l.leader, { v: 1, type: 'append-ack', epoch: Number.MAX_SAFE_INTEGER - 1, ok: false, matchIndex: 0, hint: 0, refused: true });
    this.#armed = true;
    // Commits and claims under other peers' next claim ids (learned from the log): their real ones must not be fenced.
    for (const [prefix, n] of l.claims) {
      if (!l.leader || prefix.startsWith(`${this.#self}:`)) continue;
      for (let k = n + 1; k <= n + 10; k++) {
        this.#transport.send(l.leader, { v: 1, type: 'commit', epoch: l.epoch, claimId: `${prefix}c${k}`, reaction: 'evil', consumed: [], produced: [], replies: [] });
        if (victim) this.#transport.send(l.leader, { v: 1, type: 'claim', epoch: l.epoch, claimId: `${prefix}c${k + 10}`, ids: [victim.id] });
      }
    }
    this.#say(`hostile: forged append at epoch ${epoch} after ${l.lastIndex}, poisoned recover and epoch reports, ${items.length} emits under ${source}, deep and large values, claims under ${l.claims.size} other prefixes`);
  }
}
