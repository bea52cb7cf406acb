// This peer's emissions of distributed molecules: into the outbox (durable, resent until applied), to the
// sequencer it follows at once, and — local first — matchable here before the log brings them back when this
// peer hosts the reactor (fresh.ts), or announced to the copy's preferred host when it does not.
import type { DistributedMolecule } from '../core/distributed-port';
import type { PeerId, ReactorId } from '../core/ids';
import type { LeaderInfo } from './acceptor';
import type { Affinity } from './affinity';
import type { Catalog } from './catalog';
import type { RoomContext } from './context';
import type { CopyNotices } from './copy-notices';
import type { FreshEmissions } from './fresh';
import type { Entry } from './entries';
import { emissionOf, ownedBy } from './ids';
import { type Message, msg, type MessageOf } from './messages';
import type { OutboxSender } from './outbox-sender';
import type { RoomLife } from './room-phase';

export interface EmissionsOptions {
  readonly ctx: RoomContext;
  readonly life: RoomLife;
  readonly sender: OutboxSender;
  readonly leader: () => LeaderInfo | null;
  readonly catalog: Catalog;
  readonly fresh: FreshEmissions;
  readonly notices: CopyNotices;
  readonly affinity: Affinity;
}

/** One emission in an emit message. */
type EmitItem = MessageOf<'emit'>['items'][number];

/** Emissions one emit message carries at most (as the outbox's batches). */
const MAX_EMITS_PER_MESSAGE = 256;

export class Emissions {
  readonly #o: EmissionsOptions;
  /** The emit message sent last, while it may still take more emissions (#send). */
  #open: { readonly to: PeerId; readonly message: Message; readonly items: EmitItem[] } | null = null;

  constructor(options: EmissionsOptions) {
    this.#o = options;
  }

  /** Emit a copy: before the room started, once it has (the outbox is opened from the store then). */
  emit(reactor: ReactorId, name: string, value: unknown): void {
    const { ctx, sender, catalog, fresh, notices, affinity } = this.#o;
    const outbox = sender.outbox;
    if (!outbox) return this.#o.life.whenStarted(() => this.emit(reactor, name, value));
    const { item, sendable } = outbox.add(reactor, name, value);
    ctx.record({ type: 'emitted', source: outbox.source, seq: item.seq, reactor, name });
    const target = this.#o.leader();
    if (!sendable || !target) return;
    const molecule = outbox.molecule(item);
    this.#send(target.leader, { source: outbox.source, seq: item.seq, molecule });
    sender.sent(item.seq);
    // Local first: a host may match its own emission before the log brings it back (see fresh.ts).
    if (catalog.hosts(reactor)) {
      fresh.add(molecule, target);
      notices.now(reactor, name);
      return;
    }
    // Not a host: tell the copy's preferred host it is coming, so its claim can follow without waiting
    // for the log (the sequencer, if preferred, has the emit already).
    const host = affinity.preferred(molecule.id, reactor);
    if (host && host !== target.leader && host !== ctx.self) ctx.send(host, msg('fresh', { epoch: target.epoch, leader: target.leader, molecule }));
  }

  /**
   * One emit message per burst: an emission joins the emit message sent to the same sequencer earlier in this
   * turn while nothing else was sent after it (so a claim of the copy still follows its emit). One message per
   * emission made the sequencer handle — and propose, and store as a log record — each on its own (bench dcm:
   * 2,000 emit messages in a round of 2,000 jobs, where the outbox's batches make 10).
   */
  #send(to: PeerId, item: EmitItem): void {
    const ctx = this.#o.ctx;
    const open = this.#open;
    if (open !== null && open.to === to && open.items.length < MAX_EMITS_PER_MESSAGE && ctx.lastQueued(to) === open.message) {
      open.items.push(item);
      return;
    }
    const items = [item];
    const message = msg('emit', { items });
    this.#open = { to, message, items };
    ctx.send(to, message);
  }

  /** A peer's emission is on its way to the sequencer we follow, and we are its preferred host. */
  onFresh(from: PeerId, m: MessageOf<'fresh'>): void {
    const { ctx, catalog, fresh, notices } = this.#o;
    // Only the emitter tells of its own emission: a notice for another source's copy (or a made-up id) would
    // fill the fresh table with copies that never come and send our claims after them.
    const emission = emissionOf(m.molecule.id);
    if (!emission || !ownedBy(emission.source, from)) return ctx.refused(from, `fresh notice for ${m.molecule.id}`);
    const l = this.#o.leader();
    if (!l || l.leader !== m.leader || l.epoch !== m.epoch || !catalog.hosts(m.molecule.reactor)) return;
    // Already in our log (the notice came late), or applied and perhaps consumed already: nothing to do.
    const replica = ctx.rlog.replica;
    if (replica.get(m.molecule.id) || replica.isDelivered(emission.source, emission.seq)) return;
    fresh.add(m.molecule, l);
    notices.soon(m.molecule.reactor, m.molecule.name);
  }

  /** Our emissions of (reactor, name) the room has not applied yet. */
  *pending(reactor: ReactorId, name: string): Generator<DistributedMolecule> {
    const outbox = this.#o.sender.outbox;
    if (!outbox) return;
    for (const m of outbox.queued()) {
      if (m.reactor !== reactor || m.name !== name || this.#o.ctx.rlog.replica.get(m.id)) continue;
      yield m;
    }
  }

  /** Entries joined the log tail: copies emitted there (and not consumed in the same append) appeared. */
  onTail(entries: readonly Entry[], truncated: boolean): void {
    const { fresh, notices, affinity } = this.#o;
    if (truncated) {
      fresh.clear();
      return notices.all(this.#o.ctx.rlog.replica.names());
    }
    // A copy emitted and consumed in the same append (a burst: emit + claim + commit) never was free: the
    // replica, which took the whole append first, has it consumed already (and a duplicate emit added nothing).
    const replica = this.#o.ctx.rlog.replica;
    let now: number | undefined;
    const appeared = (m: DistributedMolecule): void => {
      if (!replica.isAvailable(m.id)) return;
      affinity.appeared(m.id, m.reactor, m.name, (now ??= this.#o.ctx.clock.now()));
      notices.soon(m.reactor, m.name);
    };
    for (const e of entries) {
      if (e.type === 'emit') {
        fresh.delete(e.molecule.id);
        appeared(e.molecule);
      } else if (e.type === 'commit') {
        for (const m of e.produced) appeared(m);
        for (const id of e.consumed) affinity.gone(id);
      } else if (e.type === 'term') fresh.dropBefore(e.epoch);
    }
  }
}
