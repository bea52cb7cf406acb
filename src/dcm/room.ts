// createDistributedRoom: the real DistributedPort. One object per peer wires the roles together — replica
// (Acceptor), recovering or serving sequencer, requester, outbox, catalog — over one Transport, one Elector
// and one Store, with injected clock and random. See docs/protocol.md for the protocol and its arguments.
//
// Assembly, bottom-up: each part is constructed with the parts it calls, in the order below; the calls that
// go back up (the log's callbacks, a message to ourselves, fail-stop, a new leader, a newer epoch) are
// RoomSignals, subscribed at the end once every part exists. Nothing is bound late (eslint checks that no
// name here is used before its declaration).
import { deferOn, systemClock, systemRandom } from '../core/clock';
import type { ClaimGrant, DistributedCall, DistributedOutput } from '../core/distributed-port';
import { Emitter } from '../core/emitter';
import type { MoleculeId, PeerId } from '../core/ids';
import { logger } from '../core/log';
import { Acceptor, type LeaderInfo } from './acceptor';
import { Affinity } from './affinity';
import { Catalog } from './catalog';
import { defaultTimings, type RoomTimings } from './context';
import { CopyNotices } from './copy-notices';
import { Dispatcher } from './dispatch';
import { Emissions } from './emissions';
import { FreshEmissions } from './fresh';
import { Histories } from './genesis';
import { Inbound } from './inbound';
import { ballotOwner, randomToken, RequestIds } from './ids';
import { OutboxSender } from './outbox-sender';
import { Outgoing } from './outgoing';
import { Persistence } from './persistence';
import { ReplicatedLog } from './replicated-log';
import { Requester } from './requester';
import { Roles } from './roles';
import { Refusals, roomContext } from './room-context';
import { announceCatalog, RoomLifecycle } from './room-lifecycle';
import { RoomLife } from './room-phase';
import { RoomSignals } from './room-signals';
import { RoomStatus, type DistributedRoomEvents } from './room-status';
import type { DistributedRoom, DistributedRoomOptions } from './room-types';
import { Terms } from './terms';

export type { DistributedRoom, DistributedRoomOptions } from './room-types';

export function createDistributedRoom(options: DistributedRoomOptions): DistributedRoom {
  const { self, transport, elector, store } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const timings: RoomTimings = { ...defaultTimings, ...options.timings };
  const faults = options.faults ?? {};
  const events = new Emitter<DistributedRoomEvents>();
  const signals = new RoomSignals();
  const log = logger('kinetic:dcm').extend(self);
  const boot = randomToken(() => random.next());
  const requestIds = new RequestIds(self, boot);
  const life = new RoomLife();
  const left = new Set<PeerId>();
  const catalog = new Catalog(self);
  const notices = new CopyNotices();
  const refusals = new Refusals();
  const defer = deferOn(clock);
  const fresh = new FreshEmissions(defer);
  const outgoing = new Outgoing((to, m) => transport.send(to, m), defer, transport.sendEncoded ? (to, json) => transport.sendEncoded?.(to, json) ?? false : undefined, faults);

  const persistence = new Persistence(
    store,
    (e) =>
      faults.continueAfterFailedWrite ? events.emit('error', e) : signals.emit('halt', { reason: `store write failed: ${e.message}`, error: e }),
    faults.continueAfterFailedWrite,
    faults.trustServerEpochs,
  );
  const rlog = new ReplicatedLog({
    persistence,
    compactEvery: timings.compactEvery,
    keepCutRuns: faults.keepCutRuns === true,
    onApplied: (a) => signals.emit('applied', a),
    onTail: (entries, truncated) => signals.emit('tail', { entries, truncated }),
    onInstalled: () => signals.emit('installed', undefined),
    onDiverged: (index, detail) =>
      signals.emit('halt', {
        reason: `another history of this room: the log differs at index ${index} (${detail})`,
        error: new Error(`dcm: diverged at index ${index}: ${detail}`),
      }),
  });
  const terms = new Terms({ elector, persistence, rlog, faults, signals });
  const histories = new Histories({ persistence, random: () => random.next(), now: () => clock.now(), mayStart: options.newHistory ?? true, searchMs: timings.soloBootstrapMs });
  // Our ballot owner: peer id + this process's incarnation (two tabs of one identity never share a ballot).
  const owner = ballotOwner(self, boot);
  const ctx = roomContext({ self, clock, random, timings, faults, log, owner, rlog, transport, outgoing, defer, terms, histories, refusals, signals, events });

  const roles = new Roles({ ctx, elector, persistence, left, onServing: () => signals.emit('leader', undefined) });
  const acceptor = new Acceptor(ctx, () => signals.emit('leader', undefined));
  /** Where requests go: ourselves while serving, else the sequencer whose appends we follow. */
  const leader = (): LeaderInfo | null => {
    const serving = roles.sequencer;
    if (serving) return { leader: self, epoch: serving.epoch };
    const l = acceptor.leader;
    return l && l.epoch === persistence.meta.promised ? l : null;
  };
  const inbound = new Inbound({ now: () => clock.now(), defer, sliceMs: timings.inboundSliceMs });
  const affinity = new Affinity({
    self,
    clock,
    hosts: (reactor) => catalog.hostsOf(reactor),
    graceMs: timings.affinityGraceMs,
    leader: () => leader()?.leader ?? null,
    alone: (reactor, name) => rlog.replica.alone(reactor, name),
    holds: {
      hold: (id, until) => rlog.replica.hold(id, until),
      release: (id, until) => rlog.replica.release(id, until),
      held: (id) => rlog.replica.isHeld(id),
      gone: () => undefined, // the replica forgets a hold with the copy's record
    },
    onOpen: (reactor, name) => notices.now(reactor, name),
    defer: (fn) => inbound.afterInput(fn),
  });
  const requester = new Requester(ctx, {
    mode: options.claimMode ?? 'optimistic',
    ids: requestIds,
    notify: (reactor, name) => notices.now(reactor, name),
    fresh,
    preferred: (m) => affinity.mine(m.id, m.reactor, m.name),
    preference: affinity.preference,
    leader,
    claimedHere: (id) => roles.sequencer?.claims.isClaimed(id) ?? false,
  });
  const sender = new OutboxSender({
    clock,
    resendMs: timings.resendMs,
    leader,
    send: (to, m) => ctx.send(to, m),
    inLog: (source, seq) => rlog.replica.isDelivered(source, seq),
    skipResend: faults.skipResend === true,
  });
  const emissions = new Emissions({ ctx, life, sender, leader, catalog, fresh, notices, affinity });
  const dispatcher = new Dispatcher({
    acceptor,
    requester,
    sequencer: () => roles.sequencer,
    term: () => roles.term,
    recovery: () => roles.recovery,
    leader,
    catalog,
    histories,
    onLeave: (p) => {
      left.add(p);
      roles.term?.onPeerGone(p, true);
    },
    onCatalog: () => events.emit('catalog', catalog.entries()),
    onFresh: (from, m) => emissions.onFresh(from, m),
    send: (to, m) => ctx.send(to, m),
  });
  const status = new RoomStatus(events, () => ({
    self,
    role: roles.role,
    sequencer: leader()?.leader ?? elector.current().leader,
    epoch: terms.known(),
    commitIndex: rlog.commitIndex,
    lastIndex: rlog.log.lastIndex,
    members: [...rlog.replica.membersInEffect],
    molecules: rlog.replica.size,
    outbox: sender.outbox?.size ?? 0,
    claimsInFlight: requester.inFlight,
    claimsGranted: roles.sequencer?.claims.size ?? 0,
    invalidMessages: dispatcher.invalid + refusals.count,
    ...(inbound.dropped > 0 ? { inboundDropped: inbound.dropped } : {}),
    ...(life.halted !== null ? { stopped: life.halted } : {}),
    ...histories.view(),
  }));
  const lifecycle = new RoomLifecycle({ ctx, inbound, transport, elector, persistence, life, roles, requester, sender, outgoing, dispatcher, catalog, status, events });

  signals.on('applied', (a) => {
    roles.term?.onApplied(a);
    requester.onApplied(a);
    if (a.entry.type === 'emit') sender.outbox?.delivered(a.entry.source, a.entry.seq);
    events.emit('applied', a);
  });
  signals.on('installed', () => {
    fresh.clear();
    sender.outbox?.reconcile((source, seq) => rlog.replica.isDeliveredCommitted(source, seq));
    requester.reconcile();
  });
  signals.on('tail', ({ entries, truncated }) => emissions.onTail(entries, truncated));
  signals.on('leader', () => {
    sender.flush('all');
    notices.all(rlog.replica.names());
  });
  signals.on('local', (m) => dispatcher.handle(self, m));
  signals.on('epoch', (epoch) => roles.newerEpochSeen(epoch));
  signals.on('halt', ({ reason, error }) => lifecycle.halt(reason, error));

  const announce = (): void => {
    announceCatalog(transport, catalog, histories);
    events.emit('catalog', catalog.entries());
  };

  return {
    self,
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
    status: () => status.view(),
    startNewHistory: () => {
      histories.allowStart();
      acceptor.restatePromise();
    },
    peek: (reactor, name) => [...rlog.replica.committed(reactor, name)],
    catalog: () => catalog.entries(),
    on: (event, listener) => events.on(event, listener),
    host(info) {
      catalog.host(info);
      announce();
    },
    unhost(reactor) {
      if (!catalog.unhost(reactor)) return;
      requester.releaseReactor(reactor);
      announce();
    },
    emit: (reactor, name, value) => emissions.emit(reactor, name, value),
    async flush() {
      if (!sender.outbox) await new Promise<void>((resolve) => life.whenStarted(resolve));
      await sender.outbox?.flush();
    },
    call(reactor, name, arg) {
      const callId = requestIds.call();
      const value: DistributedCall = { arg, replyTo: self, callId };
      const reply = requester.call(callId);
      emissions.emit(reactor, name, value);
      return reply;
    },
    available: (reactor, name, need, localDemand) => (life.started ? requester.available(reactor, name, need, localDemand) : []),
    copies: (reactor, name) => (life.started ? rlog.replica.copies(reactor, name) : []),
    pending: (reactor, name) => emissions.pending(reactor, name),
    claim: (reactor, reaction, ids: readonly MoleculeId[]) =>
      life.running ? requester.claim(leader(), reactor, reaction, ids) : Promise.resolve(null),
    decided: (grant) => requester.decided(grant),
    commit: (grant: ClaimGrant, outputs: readonly DistributedOutput[]) => requester.commit(grant, outputs),
    release: (grant: ClaimGrant) => requester.release(grant),
    subscribe: (listener) => notices.subscribe(listener),
  };
}
