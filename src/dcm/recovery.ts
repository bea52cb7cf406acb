// A new sequencer's first phase (Vertical Paxos: the external master picked us, now we read the previous
// configuration). It collects promises — after which no replica accepts an older epoch — and log positions
// from a majority of the configuration in effect, adopts the most advanced log among them (fetching it),
// and repeats with the configuration of the adopted log until both agree. Only then may it serve.
import type { PeerId } from '../core/ids';
import { isMajority, type RoomContext } from './context';
import { named } from './genesis';
import { OperationLog } from './log';
import { msg, type MessageOf } from './messages';

interface Position {
  readonly lastIndex: number;
  readonly lastEpoch: number;
  readonly members: readonly PeerId[];
  /** The history it holds (absent: none, or a store from before histories were named). */
  readonly genesis?: string | undefined;
}

export class Recovery {
  readonly #ctx: RoomContext;
  readonly epoch: number;
  readonly #promises = new Map<PeerId, Position>();
  readonly #startedAt: number;
  readonly #firstEpoch: boolean;
  /** Members of our own log when we started: a majority of them must have promised too. */
  readonly #initialMembers: readonly PeerId[];
  #fetching: { from: PeerId; at: number } | null = null;
  #ready = false;
  #promising = false;
  /** Peers that refused our ballot: they may hold history, so we never start a new one while they do. */
  readonly #refusedBy = new Set<PeerId>();
  #lastAsked = -Infinity;

  constructor(ctx: RoomContext, epoch: number, firstEpoch: boolean) {
    this.#ctx = ctx;
    this.epoch = epoch;
    this.#firstEpoch = firstEpoch;
    this.#startedAt = ctx.clock.now();
    this.#initialMembers = [...ctx.rlog.replica.membersInEffect];
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Promise to ourselves, ask everyone reachable; called again on every tick to retry the silent ones. */
  async tick(): Promise<void> {
    const ctx = this.#ctx;
    if (!this.#promises.has(ctx.self)) {
      // Our own ballot is written durably before anyone is asked for it: a restart never reuses it.
      if (this.#promising) return;
      this.#promising = true;
      const ok = await ctx.promise(this.epoch, ctx.owner).finally(() => (this.#promising = false));
      if (ctx.promised() > this.epoch || (ctx.promised() === this.epoch && ctx.promisedOwner() !== ctx.owner)) return ctx.observeEpoch(ctx.promised()); // passed: a newer term
      if (!ok) return;
      this.#promises.set(ctx.self, this.#mine());
    }
    const now = ctx.clock.now();
    if (now - this.#lastAsked >= ctx.timings.heartbeatMs) {
      this.#lastAsked = now;
      for (const p of ctx.peers()) if (!this.#promises.has(p)) ctx.send(p, msg('recover', { epoch: this.epoch, owner: ctx.owner, ...named(ctx.histories.ours()) }));
      if (this.#fetching && now - this.#fetching.at > ctx.timings.resendMs) this.#fetching = null;
    }
    this.#evaluate();
  }

  onPromise(from: PeerId, m: MessageOf<'promise'>): void {
    // Refused with our epoch or a newer one: that number is someone else's (or passed): ask for a newer term.
    // Refused with an older one: the replica does not know we were elected yet; we ask again.
    if (!m.ok) this.#refusedBy.add(from);
    if (!m.ok && m.epoch >= this.epoch) return this.#ctx.observeEpoch(m.epoch);
    if (!m.ok || m.epoch !== this.epoch) return;
    this.#refusedBy.delete(from);
    this.#promises.set(from, { lastIndex: m.lastIndex, lastEpoch: m.lastEpoch, members: m.members, genesis: m.genesis });
    this.#evaluate();
  }

  onFetched(from: PeerId, m: MessageOf<'fetched'>): void {
    if (m.epoch !== this.epoch || this.#fetching?.from !== from) return;
    const rlog = this.#ctx.rlog;
    this.#ctx.histories.join(m.genesis); // a fresh candidate takes the history it adopts (one write group)
    const r = m.snapshot ? rlog.install(m.snapshot, m.entries) : rlog.accept(m.prevIndex, m.prevEpoch, m.entries, true);
    this.#fetching = null;
    if (!r.ok) return;
    // Our log now equals the fetched one; the write must be durable before it counts as our position.
    r.durable.then(
      () => {
        this.#promises.set(this.#ctx.self, this.#mine());
        this.#evaluate();
      },
      () => undefined,
    );
  }

  #mine(): Position {
    const { log, replica } = this.#ctx.rlog;
    return { lastIndex: log.lastIndex, lastEpoch: log.lastEpoch, members: [...replica.membersInEffect], genesis: this.#ctx.histories.ours() ?? undefined };
  }

  #evaluate(): void {
    const ctx = this.#ctx;
    const mine = this.#promises.get(ctx.self);
    if (this.#ready || !mine) return;
    if (ctx.faults.skipRecovery) {
      this.#ready = true;
      return;
    }
    // Only promises of our history count (or of none: a fresh peer, an unnamed older store); a fresh
    // candidate adopts the history of the most advanced log it was promised.
    const ours = ctx.histories.ours();
    const counts = (pos: Position): boolean => !ours || !pos.genesis || pos.genesis === ours;
    let best: [PeerId, Position] = [ctx.self, mine];
    for (const [p, pos] of this.#promises) if (counts(pos) && OperationLog.compare(pos, best[1]) > 0) best = [p, pos];
    if (best[0] !== ctx.self) {
      if (!this.#fetching) {
        this.#fetching = { from: best[0], at: ctx.clock.now() };
        ctx.send(best[0], msg('fetch', { epoch: this.epoch, from: ctx.rlog.commitIndex + 1 }));
      }
      return;
    }
    const have = (p: PeerId): boolean => {
      const pos = this.#promises.get(p);
      return pos !== undefined && counts(pos);
    };
    if (mine.members.length === 0) {
      // Nobody we heard from has any history. Only a peer allowed to start one (the room's creator:
      // `newHistory`, or the user's explicit `startNewHistory()`) ever does, and never one that already
      // belongs to a history (named in its store) whose entries it lacks: it waits for their holders.
      // Epoch 1 is the room's very first term (as far as the server knows — it may have forgotten): start
      // the history once every linked peer promised and none has history, or after soloBootstrapMs with no
      // link at all. A refusal means a peer may hold history under a newer ballot (a fresh joiner after a
      // server restart): never start over then, we get a newer term. Otherwise history may exist on peers
      // we cannot reach yet; wait (bootstrapAfterMs) before starting over.
      if (!ctx.histories.mayStart) return;
      const waited = ctx.clock.now() - this.#startedAt;
      const linked = ctx.peers();
      const heardAll = linked.length > 0 && (linked.every(have) || waited >= ctx.timings.resendMs) && !linked.some((p) => this.#refusedBy.has(p));
      const alone = linked.length === 0 && waited >= ctx.timings.soloBootstrapMs;
      this.#ready = (this.#firstEpoch && (heardAll || alone)) || waited >= ctx.timings.bootstrapAfterMs;
      return;
    }
    this.#ready = isMajority(mine.members, have) && (this.#initialMembers.length === 0 || isMajority(this.#initialMembers, have));
  }
}
