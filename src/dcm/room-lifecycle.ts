// A distributed room's life: start (load the replica and outbox, listen, elect, tick), the periodic tick,
// a clean stop (a sequencer hands its vote back first), and fail-stop (halt) when the store failed a write or
// another history of the room met ours.
import type { Clock, Random, TimerHandle } from '../core/clock';
import type { Emitter } from '../core/emitter';
import type { PeerId } from '../core/ids';
import type { Logger } from '../core/log';
import type { Transport } from '../mesh/transport';
import type { Catalog } from './catalog';
import type { RoomContext, RoomTimings } from './context';
import type { Dispatcher } from './dispatch';
import type { Elector } from './elector';
import type { Inbound } from './inbound';
import { named, type Histories } from './genesis';
import { newSource } from './ids';
import { msg, parseMessage, unbatch } from './messages';
import { Outbox } from './outbox';
import type { OutboxSender } from './outbox-sender';
import type { Outgoing } from './outgoing';
import type { Persistence } from './persistence';
import type { Requester } from './requester';
import type { RoomLife } from './room-phase';
import type { DistributedRoomEvents, RoomStatus } from './room-status';
import type { Roles } from './roles';

/**
 * Dropped messages of one sender that count as one refused message (misbehavior.ts cuts a peer off after 50
 * refusals in 10 s): only a sender thousands of messages past our bound within seconds is cut off, never an
 * honest sequencer whose replica fell a little behind.
 */
export const DROPS_PER_REFUSAL = 100;

/** A peer's own state, announced once rather than resent: kept (the latest per kind) when the sender is past its bound. */
const KEPT_KINDS: ReadonlySet<unknown> = new Set(['catalog', 'history', 'leave']);

function keptKind(raw: unknown): string | undefined {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return KEPT_KINDS.has(type) ? (type as string) : undefined;
}

export interface RoomLifecycleParts {
  readonly ctx: RoomContext;
  /** Messages, link losses and the tick, in order and in slices (inbound.ts). */
  readonly inbound: Inbound;
  readonly transport: Transport;
  readonly elector: Elector;
  readonly persistence: Persistence;
  readonly life: RoomLife;
  readonly roles: Roles;
  readonly requester: Requester;
  readonly sender: OutboxSender;
  readonly outgoing: Outgoing;
  readonly dispatcher: Dispatcher;
  readonly catalog: Catalog;
  readonly status: RoomStatus;
  readonly events: Emitter<DistributedRoomEvents>;
}

/** Tell `to` (or every linked peer) which reactors this peer hosts. */
export function announceCatalog(transport: Transport, catalog: Catalog, histories: Histories, to?: PeerId): void {
  const m = msg('catalog', { reactors: catalog.local().map((r) => ({ ...r, molecules: [...r.molecules] })), ...named(histories.ours()) });
  for (const p of to ? [to] : transport.peers()) transport.send(p, m);
}

export class RoomLifecycle {
  readonly #p: RoomLifecycleParts;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #timings: RoomTimings;
  readonly #log: Logger;
  readonly #unsubscribe: (() => void)[] = [];
  #timer: TimerHandle | null = null;

  constructor(parts: RoomLifecycleParts) {
    this.#p = parts;
    this.#clock = parts.ctx.clock;
    this.#random = parts.ctx.random;
    this.#timings = parts.ctx.timings;
    this.#log = parts.ctx.log;
  }

  async start(): Promise<void> {
    const { ctx, inbound, transport, elector, persistence, life, roles, sender, outgoing, dispatcher, catalog, events } = this.#p;
    if (life.started) return;
    const loaded = await persistence.load();
    // A source of this process's own (outbox.ts): another process on this store, or this store restored
    // from an older copy, can never reuse one of its (source, seq) keys. Items of earlier ones keep theirs.
    const source = newSource(ctx.self, () => this.#random.next());
    ctx.rlog.restore(loaded.snapshot, loaded.entries, loaded.meta?.commitIndex ?? 0, loaded.runs);
    sender.open(
      new Outbox(
        persistence,
        source,
        loaded.outbox,
        loaded.meta?.source ?? '',
        () => sender.flush('now'),
        (seq) => ctx.record({ type: 'emit-durable', source, seq }),
      ),
    );
    life.start();
    ctx.histories.started();
    this.#unsubscribe.push(
      transport.on('message', ({ from, message }) => {
        // One job per protocol message, so a batch of appends is handled across turns when it must be.
        const all = unbatch(message);
        const receive = (handle: () => void, raw: unknown): void => {
          const queued = inbound.message(
            from,
            () => {
              if (life.stopped) return;
              const refusedBefore = dispatcher.invalid;
              handle();
              if (dispatcher.invalid > refusedBefore) transport.refused?.(from); // counts toward cutting it off
            },
            raw,
            keptKind(raw),
          );
          // A sender far ahead of what we can read: its messages are dropped (inbound.ts), and every
          // DROPS_PER_REFUSAL of them counts as one refused message toward cutting it off.
          if (!queued && inbound.droppedFrom(from) % DROPS_PER_REFUSAL === 0) transport.refused?.(from);
        };
        if (!all) return receive(() => dispatcher.receive(from, message, parseMessage), message);
        for (const one of all) receive(() => dispatcher.receiveOne(from, one, parseMessage), one);
      }),
      // In order with the link's losses: a quick reconnect is not undone by its loss still waiting in the queue.
      transport.on('peer-connected', ({ peerId }) =>
        inbound.run(() => {
          if (!life.stopped) announceCatalog(transport, catalog, ctx.histories, peerId);
        }),
      ),
      // In order with its messages: what it sent before the link went is handled before it is gone.
      transport.on('peer-disconnected', ({ peerId, reason }) =>
        inbound.run(() => {
          if (life.stopped) return;
          outgoing.drop(peerId);
          catalog.forget(peerId);
          ctx.histories.forget(peerId);
          roles.term?.onPeerGone(peerId, reason === 'goodbye');
          events.emit('catalog', catalog.entries());
        }),
      ),
      elector.onChange(() => this.#onLeadership()),
    );
    life.runQueued();
    // Terms we promised before a restart are used up: the elector must get us a newer one.
    if (persistence.meta.promised > 0) elector.observeEpoch(persistence.meta.promised);
    elector.start();
    this.#onLeadership();
    announceCatalog(transport, catalog, ctx.histories);
    this.#tick();
  }

  async stop(): Promise<void> {
    const { ctx, transport, elector, life, roles, outgoing } = this.#p;
    if (!life.running) return;
    const serving = roles.sequencer;
    if (serving) {
      // Hand our vote back first so the remaining peers keep a majority without us.
      serving.membership.leaving = true;
      const clock = this.#clock;
      const heartbeatMs = this.#timings.heartbeatMs;
      const until = clock.now() + 20 * heartbeatMs;
      const replica = ctx.rlog.replica;
      while (replica.members.includes(ctx.self) && replica.members.length > 1 && clock.now() < until && roles.sequencer) {
        await new Promise<void>((r) => clock.setTimeout(r, heartbeatMs / 2));
      }
    }
    life.stop();
    outgoing.flush();
    for (const p of transport.peers()) transport.send(p, msg('leave', {}));
    roles.stepDown();
    elector.stop();
    this.#clearTimer();
    for (const u of this.#unsubscribe.splice(0)) u();
  }

  /**
   * Fail-stop: the store failed a write, so nothing after it may be acknowledged or promised. The replica
   * stops every role (its lease goes back, peers see it as gone), tells the room it leaves, and says why in
   * status().stopped and an 'error' event; the app shows it and reloads (a restart loads what is durable).
   */
  halt(reason: string, error: Error): void {
    const { transport, elector, life, roles, outgoing, status, events } = this.#p;
    if (!life.halt(reason)) return;
    this.#log('stopped:', reason);
    events.emit('error', error);
    if (!life.running) return;
    life.stop();
    roles.stepDown();
    elector.stop();
    this.#clearTimer();
    outgoing.flush();
    for (const p of transport.peers()) transport.send(p, msg('leave', {}));
    for (const u of this.#unsubscribe.splice(0)) u();
    status.maybeEmit();
  }

  /** The elector changed its mind (ignored before start and after stop). */
  #onLeadership(): void {
    if (this.#p.life.running) this.#p.roles.follow();
  }

  /** The periodic work, after the input already here (an answer in the backlog is never resent for). */
  #tick(): void {
    const { life, roles, requester, sender, status, inbound } = this.#p;
    if (life.stopped) return;
    inbound.runOnce('tick', () => {
      if (life.stopped) return;
      const now = this.#clock.now();
      roles.tick(now);
      requester.tick(now);
      sender.flush();
      status.maybeEmit();
    });
    this.#timer = this.#clock.setTimeout(() => this.#tick(), Math.max(1, Math.min(this.#timings.heartbeatMs, this.#timings.resendMs) / 2));
  }

  #clearTimer(): void {
    this.#p.inbound.clear();
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
  }
}
