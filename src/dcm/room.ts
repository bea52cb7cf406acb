// createDistributedRoom: the real DistributedPort. One object per peer wires the roles together — replica
// (Acceptor), recovering or serving sequencer, requester, outbox, catalog — over one Transport, one Elector
// and one Store, with injected clock and random. See docs/protocol.md for the protocol and its arguments.
import { deferOn, systemClock, systemRandom, type TimerHandle } from '../core/clock';
import type { ClaimGrant, DistributedCall, DistributedOutput } from '../core/distributed-port';
import { Emitter } from '../core/emitter';
import { asEpoch, type MoleculeId, type PeerId, type ReactorId } from '../core/ids';
import { logger } from '../core/log';
import { Acceptor } from './acceptor';
import { Affinity, onlyOne } from './affinity';
import { Catalog } from './catalog';
import { CopyNotices } from './copy-notices';
import { defaultTimings, MAX_EPOCH, MAX_EPOCH_STEP, type RoomContext, type RoomTimings } from './context';
import { Dispatcher } from './dispatch';
import { FreshEmissions } from './fresh';
import { parseMessage, msg, type MessageOf } from './messages';
import { ballotOwner, emissionOf, newSource, randomToken, RequestIds } from './ids';
import { Outbox } from './outbox';
import { OutboxSender } from './outbox-sender';
import { Outgoing } from './outgoing';
import { Persistence } from './persistence';
import { ReplicatedLog } from './replicated-log';
import { Requester } from './requester';
import { RoomStatus, type DistributedRoomEvents } from './room-status';
import type { DistributedRoom, DistributedRoomOptions } from './room-types';
import { RoomLife } from './room-phase';
import { Roles } from './roles';

export type { DistributedRoom, DistributedRoomOptions } from './room-types';

export function createDistributedRoom(options: DistributedRoomOptions): DistributedRoom {
  const { self, transport, elector, store } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const timings: RoomTimings = { ...defaultTimings, ...options.timings };
  const events = new Emitter<DistributedRoomEvents>();
  const log = logger('kinetic:dcm').extend(self);
  const boot = randomToken(() => random.next());
  /** Our ballot owner: peer id + this process's incarnation (two tabs of one identity never share a ballot). */
  const owner = ballotOwner(self, boot);
  const requestIds = new RequestIds(self, boot);
  const faults = options.faults ?? {};
  const persistence = new Persistence(
    store,
    (e) => (faults.continueAfterFailedWrite ? events.emit('error', e) : halt(`store write failed: ${e.message}`, e)),
    faults.continueAfterFailedWrite,
  );
  const notices = new CopyNotices();
  const notify = (reactor: ReactorId, name: string): void => notices.now(reactor, name);
  const notifyAll = (): void => notices.all(rlog.replica.names());

  const life = new RoomLife();
  let refusedMessages = 0;
  let timer: TimerHandle | null = null;
  const beforeStart: (() => void)[] = [];
  const left = new Set<PeerId>();
  const catalog = new Catalog(self);
  const fresh = new FreshEmissions();
  const defer = deferOn(clock);
  const outgoing = new Outgoing((to, m) => transport.send(to, m), defer);

  const rlog = new ReplicatedLog({
    persistence,
    compactEvery: timings.compactEvery,
    onApplied: (a) => {
      roles.sequencer?.onApplied(a);
      requester.onApplied(a);
      if (a.entry.type === 'emit') sender.outbox?.delivered(a.entry.source, a.entry.seq);
      events.emit('applied', a);
    },
    onDiverged: (index, detail) => halt(`another history of this room: the log differs at index ${index} (${detail})`, new Error(`dcm: diverged at index ${index}: ${detail}`)),
    onInstalled: () => {
      fresh.clear();
      sender.outbox?.reconcile((source, seq) => rlog.replica.isDeliveredCommitted(source, seq));
      requester.reconcile();
    },
    onTail: (entries, truncated) => {
      if (truncated) {
        fresh.clear();
        return notifyAll();
      }
      // A copy emitted and consumed in the same append (a burst: emit + claim + commit) never was free.
      const consumed = new Set<MoleculeId>();
      for (const e of entries) if (e.type === 'commit') for (const id of e.consumed) consumed.add(id);
      for (const e of entries) {
        if (e.type === 'emit') fresh.delete(e.molecule.id);
        else if (e.type === 'term') fresh.dropBefore(e.epoch);
        const added = e.type === 'emit' ? [e.molecule] : e.type === 'commit' ? e.produced : [];
        for (const m of added) {
          if (consumed.has(m.id)) continue;
          affinity.appeared(m.id, m.reactor, m.name);
          notices.soon(m.reactor, m.name);
        }
      }
      for (const id of consumed) affinity.gone(id);
    },
  });

  const ctx: RoomContext = {
    self,
    clock,
    random,
    rlog,
    timings,
    faults,
    log,
    owner,
    send(to, message) {
      if (to === self) {
        queueMicrotask(() => dispatcher.handle(self, message));
        return;
      }
      outgoing.send(to, message);
    },
    peers: () => transport.peers(),
    defer,
    observeEpoch(reported) {
      // Epochs reported by peers (acks, refusals) are believed only up to the bounded step the election could
      // have produced: a forged one near 2^53 would make the election ask for a term no peer accepts (and the
      // server record it for good). A larger real one is reached in steps, one term at a time.
      const epoch = Math.min(reported, ctx.ceiling(), MAX_EPOCH - 1);
      elector.observeEpoch(asEpoch(epoch));
      roles.newerEpochSeen(epoch);
    },
    async promise(epoch, by) {
      const m = persistence.meta;
      if (epoch < m.promised || (epoch === m.promised && m.promisedOwner === by)) return epoch === m.promised;
      if (epoch === m.promised && !faults.trustServerEpochs) return false;
      if (faults.promiseBeforeDurable) {
        persistence.assumeDurable({ promised: epoch, promisedOwner: by });
        void persistence.write([], { promised: epoch, promisedOwner: by }).catch(() => undefined);
        return true;
      }
      await persistence.write([], { promised: epoch, promisedOwner: by });
      return persistence.meta.promised === epoch && persistence.meta.promisedOwner === by;
    },
    promised: () => persistence.meta.promised,
    promisedOwner: () => persistence.meta.promisedOwner ?? '',
    elected: () => elector.current().leader,
    ceiling: () => Math.max(persistence.meta.promised, elector.current().epoch, rlog.log.lastEpoch) + MAX_EPOCH_STEP,
    refused(from, why) {
      refusedMessages++;
      log('refused a message from', from, why);
    },
    record: (event) => events.emit('history', event),
  };

  const roles = new Roles({
    ctx,
    elector,
    persistence,
    left,
    onServing: () => {
      sender.flush(true);
      notifyAll();
    },
  });
  /** The elector changed its mind (ignored before start and after stop). */
  const onLeadership = (): void => {
    if (life.running) roles.follow();
  };

  const affinity = new Affinity({
    self,
    clock,
    hosts: (reactor) => catalog.hostsOf(reactor),
    graceMs: timings.affinityGraceMs,
    leader: () => leaderInfo()?.leader ?? null,
    alone: (reactor, name) => onlyOne(rlog.replica.copies(reactor, name, 0)),
    onOpen: notify,
  });
  const acceptor = new Acceptor(ctx, () => {
    sender.flush(true);
    notifyAll();
  });
  const requester = new Requester(ctx, {
    mode: options.claimMode ?? 'optimistic',
    ids: requestIds,
    notify,
    open: (id) => affinity.open(id),
    fresh,
    leader: () => leaderInfo(),
    claimedHere: (id) => roles.sequencer?.claims.isClaimed(id) ?? false,
  });

  const sender = new OutboxSender({ clock, resendMs: timings.resendMs, leader: () => leaderInfo(), send: (to, m) => ctx.send(to, m) });

  /** Where requests go: ourselves while serving, else the sequencer whose appends we follow. */
  const leaderInfo = (): { leader: PeerId; epoch: number } | null => {
    const serving = roles.sequencer;
    if (serving) return { leader: self, epoch: serving.epoch };
    const l = acceptor.leader;
    return l && l.epoch === persistence.meta.promised ? l : null;
  };

  /**
   * Fail-stop: the store failed a write, so nothing after it may be acknowledged or promised. The replica
   * stops every role (its lease goes back, peers see it as gone), tells the room it leaves, and says why in
   * status().stopped and an 'error' event; the app shows it and reloads (a restart loads what is durable).
   */
  function halt(reason: string, error: Error): void {
    if (!life.halt(reason)) return;
    log('stopped:', reason);
    events.emit('error', error);
    if (!life.running) return;
    life.stop();
    roles.stepDown();
    elector.stop();
    if (timer) clock.clearTimeout(timer);
    outgoing.flush();
    for (const p of transport.peers()) transport.send(p, msg('leave', {}));
    for (const u of unsubscribe.splice(0)) u();
    status.maybeEmit();
  }

  function tick(): void {
    if (life.stopped) return;
    const now = clock.now();
    roles.tick(now);
    requester.tick(now);
    sender.flush();
    status.maybeEmit();
    timer = clock.setTimeout(tick, Math.max(1, Math.min(timings.heartbeatMs, timings.resendMs) / 2));
  }

  const dispatcher = new Dispatcher({
    acceptor,
    requester,
    sequencer: () => roles.sequencer,
    recovery: () => roles.recovery,
    leader: leaderInfo,
    catalog,
    onLeave: (p) => {
      left.add(p);
      roles.sequencer?.onPeerGone(p, true);
    },
    onCatalog: () => events.emit('catalog', catalog.entries()),
    onFresh,
    send: (to, m) => ctx.send(to, m),
  });

  const status = new RoomStatus(events, () => ({
    self,
    role: roles.role,
    sequencer: leaderInfo()?.leader ?? elector.current().leader,
    epoch: Math.max(persistence.meta.promised, elector.current().epoch),
    commitIndex: rlog.commitIndex,
    lastIndex: rlog.log.lastIndex,
    members: [...rlog.replica.membersInEffect],
    molecules: rlog.replica.size,
    outbox: sender.outbox?.size ?? 0,
    claimsInFlight: requester.inFlight,
    claimsGranted: roles.sequencer?.claims.size ?? 0,
    invalidMessages: dispatcher.invalid + refusedMessages,
    ...(life.halted !== null ? { stopped: life.halted } : {}),
  }));

  const unsubscribe: (() => void)[] = [];

  function announce(to?: PeerId): void {
    const m = msg('catalog', { reactors: catalog.local().map((r) => ({ ...r, molecules: [...r.molecules] })) });
    for (const p of to ? [to] : transport.peers()) transport.send(p, m);
  }

  function emitMolecule(reactor: ReactorId, name: string, value: unknown): void {
    const outbox = sender.outbox;
    if (!outbox) return void beforeStart.push(() => emitMolecule(reactor, name, value));
    const { item, sendable } = outbox.add(reactor, name, value);
    ctx.record({ type: 'emitted', source: outbox.source, seq: item.seq, reactor, name });
    const target = leaderInfo();
    if (!sendable || !target) return;
    const molecule = outbox.molecule(item);
    ctx.send(target.leader, msg('emit', { items: [{ source: outbox.source, seq: item.seq, molecule }] }));
    // Local first: a host may match its own emission before the log brings it back (see fresh.ts).
    if (catalog.hosts(reactor)) {
      fresh.add(molecule, target);
      notify(reactor, name);
      return;
    }
    // Not a host: tell the copy's preferred host it is coming, so its claim can follow without waiting
    // for the log (the sequencer, if preferred, has the emit already).
    const host = affinity.preferred(molecule.id, reactor);
    if (host && host !== target.leader && host !== self) ctx.send(host, msg('fresh', { epoch: target.epoch, leader: target.leader, molecule }));
  }

  /** A peer's emission is on its way to the sequencer we follow, and we are its preferred host. */
  function onFresh(m: MessageOf<'fresh'>): void {
    const l = leaderInfo();
    if (!l || l.leader !== m.leader || l.epoch !== m.epoch || !catalog.hosts(m.molecule.reactor)) return;
    // Already in our log (the notice came late), or applied and perhaps consumed already: nothing to do.
    const emission = emissionOf(m.molecule.id);
    if (rlog.replica.get(m.molecule.id) || (emission && rlog.replica.isDelivered(emission.source, emission.seq))) return;
    fresh.add(m.molecule, l);
    notices.soon(m.molecule.reactor, m.molecule.name);
  }

  return {
    self,
    async start() {
      if (life.started) return;
      const loaded = await persistence.load();
      // A source of this process's own (outbox.ts): another process on this store, or this store restored
      // from an older copy, can never reuse one of its (source, seq) keys. Items of earlier ones keep theirs.
      const source = newSource(self, () => random.next());
      rlog.restore(loaded.snapshot, loaded.entries, loaded.meta?.commitIndex ?? 0);
      sender.open(
        new Outbox(
          persistence,
          source,
          loaded.outbox,
          loaded.meta?.source ?? '',
          () => sender.flush(true),
          (seq) => ctx.record({ type: 'emit-durable', source, seq }),
        ),
      );
      life.start();
      unsubscribe.push(
        transport.on('message', ({ from, message }) => {
          if (life.stopped) return;
          const refusedBefore = dispatcher.invalid;
          dispatcher.receive(from, message, parseMessage);
          if (dispatcher.invalid > refusedBefore) transport.refused?.(from); // counts toward cutting it off
        }),
        transport.on('peer-connected', ({ peerId }) => announce(peerId)),
        transport.on('peer-disconnected', ({ peerId, reason }) => {
          outgoing.drop(peerId);
          catalog.forget(peerId);
          roles.sequencer?.onPeerGone(peerId, reason === 'goodbye');
          events.emit('catalog', catalog.entries());
        }),
        elector.onChange(onLeadership),
      );
      for (const f of beforeStart.splice(0)) f();
      // Terms we promised before a restart are used up: the elector must get us a newer one.
      if (persistence.meta.promised > 0) elector.observeEpoch(asEpoch(persistence.meta.promised));
      elector.start();
      onLeadership();
      announce();
      tick();
    },
    async stop() {
      if (!life.running) return;
      const serving = roles.sequencer;
      if (serving) {
        // Hand our vote back first so the remaining peers keep a majority without us.
        serving.membership.leaving = true;
        const until = clock.now() + 20 * timings.heartbeatMs;
        while (rlog.replica.members.includes(self) && rlog.replica.members.length > 1 && clock.now() < until && roles.sequencer) {
          await new Promise<void>((r) => clock.setTimeout(r, timings.heartbeatMs / 2));
        }
      }
      life.stop();
      outgoing.flush();
      for (const p of transport.peers()) transport.send(p, msg('leave', {}));
      roles.stepDown();
      elector.stop();
      if (timer) clock.clearTimeout(timer);
      for (const u of unsubscribe.splice(0)) u();
    },
    status: () => status.view(),
    peek: (reactor, name) => [...rlog.replica.committed(reactor, name)],
    catalog: () => catalog.entries(),
    on: (event, listener) => events.on(event, listener),

    host(info) {
      catalog.host(info);
      announce();
      events.emit('catalog', catalog.entries());
    },
    unhost(reactor) {
      if (!catalog.unhost(reactor)) return;
      requester.releaseReactor(reactor);
      announce();
      events.emit('catalog', catalog.entries());
    },
    emit: emitMolecule,
    async flush() {
      if (!sender.outbox) await new Promise<void>((resolve) => beforeStart.push(resolve));
      await sender.outbox?.flush();
    },
    call(reactor, name, arg) {
      const callId = requestIds.call();
      const value: DistributedCall = { arg, replyTo: self, callId };
      const reply = requester.call(callId);
      emitMolecule(reactor, name, value);
      return reply;
    },
    available: (reactor, name, need) => (life.started ? requester.available(reactor, name, need) : []),
    copies: (reactor, name) => (life.started ? rlog.replica.copies(reactor, name, 0) : []),
    *pending(reactor, name) {
      const outbox = sender.outbox;
      if (!outbox) return;
      for (const m of outbox.queued()) {
        if (m.reactor !== reactor || m.name !== name || rlog.replica.get(m.id)) continue;
        yield m;
      }
    },
    claim: (reactor, reaction, ids: readonly MoleculeId[]) =>
      life.running ? requester.claim(leaderInfo(), reactor, reaction, ids) : Promise.resolve(null),
    commit: (grant: ClaimGrant, outputs: readonly DistributedOutput[]) => requester.commit(grant, outputs),
    release: (grant: ClaimGrant) => requester.release(grant),
    subscribe(listener) {
      return notices.subscribe(listener);
    },
  };
}
