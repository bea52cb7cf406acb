// One simulated run: N peers, all four workloads, a seeded fault schedule, then heal everything, wait for
// quiescence and check the whole history. Everything derives from the seed, so a run replays exactly.
import { seededRandom, randomInt, type Random } from '../../src/core/clock';
import { asPeerId, type PeerId } from '../../src/core/ids';
import type { ProtocolFaults, RoomTimings } from '../../src/dcm/context';
import type { ClaimMode } from '../../src/dcm/requester';
import { createMemoryNetwork } from '../../src/mesh/memory';
import { Checker, type Chat, type Violation } from './checker';
import { SimLeaseService } from './lease-service';
import { SimPeer, type PeerWorld } from './peer';
import { noStoreFaults, type StoreFaults } from './faulty-store';
import { HostilePeer } from './hostile';
import type { MemoryBacking } from '../../src/store/memory';
import { VirtualScheduler } from './scheduler';
import { simBroadcast, simChat, simCounter, simMapReduce } from './workloads';

export interface SimOptions {
  readonly seed: number;
  /** Deliberately broken protocol (mutation test). */
  readonly mutation?: ProtocolFaults;
  /** Print a readable trace of faults and protocol facts. */
  readonly trace?: (line: string) => void;
  /** Map/reduce size; default: 100 (= 338350) on every 10th seed, else 12 (keeps 1,000 seeds within the CI budget). */
  readonly mapJobs?: number;
  readonly faults?: boolean;
  /** Only these fault kinds (see FaultKind); default: DEFAULT_FAULT_KINDS. */
  readonly faultKinds?: readonly number[];
}

export interface SimResult {
  readonly seed: number;
  readonly violations: Violation[];
  readonly peers: number;
  readonly committed: number;
  readonly events: number;
  readonly virtualMs: number;
  readonly faults: string[];
}

/**
 * Fault kinds. 0–9 are events scheduled in the fault window; 10–14 are conditions a run has throughout (each
 * switched on for about half the seeds when its kind is selected).
 */
export const FaultKind = {
  crashPeer: 0,
  crashSequencer: 1,
  partition: 2,
  serverDown: 3,
  /** The signaling server restarts and forgets the room's lease (also: the room record cleaned up after it emptied). */
  serverRestartLosingState: 4,
  /** A tab is suspended past its lease and wakes up believing it still leads. */
  frozenTab: 5,
  /** A peer leaves cleanly (room.stop), later returns. */
  cleanLeave: 6,
  /** Messages from one peer to another are lost for a while, the other direction works. */
  oneWayLink: 7,
  /** A peer restarts with its store restored from an older copy. */
  staleStore: 8,
  /** A key-holding peer runs hostile code: forged appends, poisoned epochs, borrowed sources, deep/huge values. */
  hostilePeer: 9,
  /** Store writes land after a random delay (crashes interrupt them). */
  storeLatency: 10,
  /** Store writes fail now and then (transient errors, quota errors). */
  storeFailures: 11,
  /** Every peer's clock runs a little fast or slow. */
  clockSkew: 12,
  /** A peer with a fresh store joins late. */
  lateJoiner: 13,
  /** The link refuses messages over a size limit. */
  frameLimit: 14,
  /**
   * Two tabs share one identity (no Web Locks): a second process of a peer runs on the same store, refused
   * by the server as a duplicate (offline: its own network, no lease) and emitting meanwhile; then both close
   * and the peer reopens.
   */
  sharedIdentity: 15,
} as const;

/** Kinds that are conditions of a whole run rather than events in the fault window. */
const CONDITIONS: readonly number[] = [FaultKind.storeLatency, FaultKind.storeFailures, FaultKind.clockSkew, FaultKind.lateJoiner, FaultKind.frameLimit];

/**
 * What `npm run sim` runs by default: every fault kind but a stale store, which no quorum protocol survives
 * in general (a replica that forgets what it acknowledged is a lost disk; docs/protocol.md, fault model).
 */
export const DEFAULT_FAULT_KINDS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15];
export const ALL_FAULT_KINDS: readonly number[] = Object.values(FaultKind);

// Faults start once the workloads' setup emissions (count, roster, broadcast, jobs; all made by 200 ms) are
// durable, so a run can always finish; later emissions may be lost only while not durable (see the checker).
const FAULT_WINDOW = [300, 2500] as const;
const HEAL_AT = 3000;
const DEADLINE = 40_000;

export async function runSimulation(o: SimOptions): Promise<SimResult> {
  const random = seededRandom(o.seed);
  const r = (a: number, b: number): number => a + random.next() * (b - a);
  const sched = new VirtualScheduler();
  const trace = o.trace;
  const say = (s: string): void => trace?.(`${sched.now().toFixed(1).padStart(8)}ms  ${s}`);
  const kinds = new Set(o.faults === false ? [] : (o.faultKinds ?? DEFAULT_FAULT_KINDS));
  const on = (k: number): boolean => kinds.has(k) && random.next() < 0.5;
  const n = 3 + randomInt(random, 3);
  const reorder = random.next() < 0.3;
  const network = createMemoryNetwork({
    clock: sched.clock(),
    random,
    // SIM_WIRE=<regexp> with --seed: also trace every delivered message whose JSON matches.
    ...(trace && process.env['SIM_WIRE'] ? { onDeliver: wireTrace(new RegExp(process.env['SIM_WIRE']), (l) => say(l)) } : {}),
    faults: { minDelayMs: 0.2, maxDelayMs: r(1, 8), dropRate: random.next() < 0.5 ? r(0, 0.04) : 0, duplicateRate: random.next() < 0.5 ? r(0, 0.04) : 0, reorder, detectMs: 300 },
  });
  const lease = new SimLeaseService(sched, random, 600);
  const timings: Partial<RoomTimings> = {
    heartbeatMs: 50,
    resendMs: 100,
    claimTtlMs: 300,
    removeAfterMs: 400,
    compactEvery: random.next() < 0.3 ? 20 : 1000,
    bootstrapAfterMs: Infinity,
  };
  const claimMode: ClaimMode = random.next() < 0.7 ? 'optimistic' : 'confirmed';
  const mapJobs = o.mapJobs ?? (o.seed % 10 === 0 ? 100 : 12);
  const storeFaults: StoreFaults = { maxLatencyMs: on(FaultKind.storeLatency) ? r(1, 25) : 0, failRate: on(FaultKind.storeFailures) ? r(0.001, 0.01) : 0 };
  /** Store latency from the start, write failures from the fault window on, neither once healed. */
  let storePhase: 'setup' | 'faults' | 'healed' = 'setup';
  const skew = on(FaultKind.clockSkew);
  const late = on(FaultKind.lateJoiner);
  const maxFrameChars = on(FaultKind.frameLimit) ? 1024 * 1024 : Infinity;
  const checker = new Checker();
  const errors: string[] = [];
  const world: PeerWorld = {
    sched,
    network,
    lease,
    random,
    timings,
    faults: o.mutation ?? {},
    claimMode,
    mapCost: () => (random.next() < 0.1 ? r(100, 600) : r(1, 10)),
    storeFaults: () => (storePhase === 'faults' ? storeFaults : storePhase === 'setup' ? { ...storeFaults, failRate: 0 } : noStoreFaults),
    maxFrameChars,
    observe(peer, room) {
      room.on('applied', (a) => {
        if (!checker.has(a.index)) {
          const json = JSON.stringify(a.entry);
          const byId = new Map(peers.map((p) => [p.id as string, p]));
          checker.firstApplied(peer.id, a.index, a.entry, (id) => byId.get(id)?.stores(a.index, json) ?? false, room.status().members);
        }
        checker.applied(peer.id, a.index, a.entry);
        checker.appliedIn(peer.id, a.index, a.entry, room.status().genesis);
      });
      room.on('history', (e) => {
        checker.fact(sched.now(), peer.id, e);
        if (e.type === 'emitted') lastEmitted.set(peer.id, `${e.source}#${e.seq}`);
        if (trace && (e.type !== 'emitted' || process.env['SIM_EMITS'])) say(`${peer.id} ${e.type} ${JSON.stringify({ ...e, type: undefined })}`);
      });
    },
    // Store failures are faults the protocol must survive (it stops the replica and says so), not errors.
    onError: (peer, e) => {
      if (!/^simulated: /.test(e.message)) errors.push(`${peer}: ${e.message}`);
    },
  };
  const ids: PeerId[] = Array.from({ length: n + (late ? 1 : 0) }, (_, i) => asPeerId(`p${i}`));
  const peers = ids.map((id) => new SimPeer(id, world));
  // The room's creators: the initial peers may start its history on their first boot only (the app's
  // "new room" flow); restarted peers and the late joiner open the link and join the history there is.
  for (const p of peers.slice(0, n)) p.creator = true;
  if (skew) for (const p of peers) [p.clockRate, p.clockOffset] = [r(0.97, 1.03), r(-1e6, 1e6)];
  const sleepNever = (): Promise<void> => new Promise(() => undefined);
  const chatIds = new Map(ids.map((p) => [p as string, simChat(p).id as string]));
  const reactorIds = { counter: simCounter.id, map: simMapReduce(sleepNever, () => 0).id, broadcast: simBroadcast('x').id };
  say(
    `seed ${o.seed}: ${n} peers${late ? ' + 1 late joiner' : ''}, ${claimMode} claims, reorder=${reorder}, compactEvery=${timings.compactEvery}, map ${mapJobs} jobs, ` +
      `store latency ≤${storeFaults.maxLatencyMs.toFixed(1)} ms, write failures ${(storeFaults.failRate * 100).toFixed(2)} %, skew=${skew}, frame limit ${maxFrameChars}`,
  );

  const faults: string[] = [];
  const fault = (s: string): void => {
    faults.push(`${sched.now().toFixed(0)}ms ${s}`);
    say(`FAULT ${s}`);
  };
  const firstAlive = (): SimPeer | undefined => peers.find((p) => p.alive && p.reactors);
  const boot = (p: SimPeer): void =>
    void p.boot().catch((e: unknown) => {
      if (!String(e).includes('simulated: ')) return void errors.push(`${p.id} boot: ${String(e)}`);
      // The store failed while starting: the app shows the error and reloads.
      fault(`${p.id} failed to start (${String(e)}); reload`);
      p.crash();
      sched.at(r(20, 300), () => !p.alive && boot(p));
    });

  // Workload drivers.
  let increments = 0;
  const chats: Chat[] = [];
  const lastEmitted = new Map<string, string>();
  const seers: string[] = [];
  for (const p of peers.slice(0, n)) sched.at(r(0, 20), () => boot(p));
  const lateJoiner = late ? peers[n] : undefined;
  if (lateJoiner) sched.at(r(500, 2500), () => (fault(`late joiner ${lateJoiner.id} with a fresh store`), boot(lateJoiner)));
  sched.at(40, () => {
    const p = firstAlive();
    p?.reactors?.counter.feed('count', 0);
    p?.reactors?.broadcast.feed('roster', []);
    p?.reactors?.broadcast.feed('broadcast', 1);
  });
  for (const p of peers.slice(0, n)) {
    sched.at(r(30, 60), () => {
      if (!p.reactors) return;
      p.reactors.broadcast.feed('see', p.id);
      seers.push(p.id);
    });
  }
  sched.at(r(60, 200), () => {
    const p = firstAlive();
    for (let x = 1; x <= mapJobs; x++) p?.reactors?.mapreduce.feed('job', { x, total: mapJobs });
  });
  for (let k = 0; k < 16; k++) {
    sched.at(r(50, HEAL_AT), () => {
      const p = peers[randomInt(random, peers.length)];
      if (!p?.reactors || p.frozen) return;
      p.reactors.counter.feed('incr', 1);
      increments++;
    });
  }
  for (let k = 0; k < 6; k++) {
    sched.at(r(50, HEAL_AT), () => {
      const from = peers[randomInt(random, peers.length)];
      const to = ids[randomInt(random, n)] as string;
      if (!from?.room || from.frozen) return;
      const reactor = chatIds.get(to) as string;
      from.room.emit(reactor as never, 'inbox', { from: from.id, n: k });
      chats.push({ to, reactor, n: k, from: from.id, key: lastEmitted.get(from.id) });
    });
  }
  // The app's part of fail-stop: a replica that stopped itself (a store write failed) is reloaded.
  const forks: string[] = [];
  const supervise = (): void => {
    for (const p of peers) {
      const stopped = p.alive ? p.room?.status().stopped : undefined;
      if (!stopped) continue;
      // A replica sent a different entry where it holds one (same index and epoch, or committed) stops loudly
      // rather than diverge: that two logs differed at all is a fork — two sequencers of one ballot.
      if (/another history of this room/.test(stopped)) forks.push(`${p.id} at ${sched.now().toFixed(0)} ms: ${stopped}`);
      fault(`${p.id} stopped itself (${stopped}); reload`);
      p.crash();
      sched.at(r(20, 300), () => !p.alive && boot(p));
    }
    if (sched.now() < DEADLINE) sched.at(25, supervise);
  };
  sched.at(25, supervise);
  sched.at(FAULT_WINDOW[0], () => (storePhase = 'faults'));
  const hostile = kinds.has(FaultKind.hostilePeer) ? new HostilePeer(asPeerId('x'), sched, network, random, say) : null;
  const scheduled = [...kinds].filter((k) => !CONDITIONS.includes(k));
  /** A second tab of `p` (shared identity) emits `count` increments while it runs. */
  const twinIncrements = (twin: SimPeer, count: number): void => {
    for (let k = 0; k < count; k++) {
      sched.at(r(0, 150), () => {
        if (!twin.reactors) return;
        twin.reactors.counter.feed('incr', 1);
        increments++;
      });
    }
  };
  if (scheduled.length) scheduleFaults({ random, sched, peers, network, lease, fault, boot, r, kinds: scheduled, hostile, twinIncrements, errors });
  sched.at(HEAL_AT, () => {
    network.heal();
    network.setFaults({ dropRate: 0, duplicateRate: 0 });
    lease.up = true;
    storePhase = 'healed';
    hostile?.stop();
    for (const p of peers) {
      p.blockedTo.clear();
      if (!p.alive) boot(p);
    }
    say('HEAL everything; restart crashed peers');
  });

  const quiet = (): boolean => {
    if (sched.now() < HEAL_AT + 200 || peers.some((p) => p.leaving)) return false;
    const live = peers.map((p) => p.room?.status());
    if (live.some((s) => !s || s.outbox > 0 || s.claimsInFlight > 0)) return false;
    const ci = new Set(live.map((s) => s?.commitIndex));
    if (ci.size !== 1) return false;
    const results = checker.molecules(reactorIds.map, 'result').length;
    const counts = checker.molecules(reactorIds.counter, 'count');
    const roster = checker.molecules(reactorIds.broadcast, 'roster')[0]?.value as string[] | undefined;
    const inboxes = [...chatIds.values()].some((c) => checker.molecules(c, 'inbox').length > 0);
    return results === 1 && counts.length === 1 && counts[0]?.value === checker.emissionsKept(reactorIds.counter, 'incr') && roster?.length === seers.length && !inboxes;
  };
  let settledAt = Infinity;
  await sched.run(DEADLINE, () => {
    // Quiet for 300 ms in a row: activity after a quiet moment (a new term's entries) starts the wait again.
    settledAt = quiet() ? Math.min(settledAt, sched.now()) : Infinity;
    return sched.now() > settledAt + 300;
  });
  if (settledAt === Infinity) {
    say('deadline reached without quiescence');
    for (const p of peers) say(`  ${p.id} ${JSON.stringify(p.room?.status() ?? 'down')}`);
    for (const p of peers) {
      const own = [...(p.room?.available(chatIds.get(p.id) as never, 'inbox') ?? [])].length;
      say(`  ${p.id} inbox available ${own}, machine ${JSON.stringify(p.machine?.stats())}`);
    }
  }

  checker.expect({
    counterReactor: reactorIds.counter,
    mapReactor: reactorIds.map,
    mapTotal: mapJobs,
    broadcastReactor: reactorIds.broadcast,
    broadcastPeers: seers,
    chatOwners: new Map([...chatIds].map(([p, c]) => [c, p])),
  });
  const live = peers.map((p) => ({
    peer: p.id,
    commitIndex: p.room?.status().commitIndex ?? -1,
    outbox: p.room?.status().outbox ?? -1,
    holds: (reactor: string, name: string) => (p.room ? p.room.peek(reactor as never, name).map((m) => m.id as string) : null),
  }));
  // Emissions lost before their outbox write landed are allowed (emit never waits; flush() says when it is safe).
  const violations = checker.finish(live, checker.emissionsKept(reactorIds.counter, 'incr'), chats);
  if (increments < checker.emissionsKept(reactorIds.counter, 'incr')) violations.push({ rule: 'counter', detail: `more incr emissions than the workload made (${increments})` });
  // A configuration with no member has no majority: nothing commits under it, ever (soak seed 76990).
  for (const p of peers) {
    const s = p.room?.status();
    if (s && s.lastIndex > 0 && s.members.length === 0) violations.push({ rule: 'membership', detail: `${p.id} holds a log (last index ${s.lastIndex}) whose configuration in effect is empty` });
  }
  if (settledAt === Infinity) violations.push({ rule: 'progress', detail: `not quiescent by ${DEADLINE} ms (committed ${checker.committed})` });
  for (const e of errors) violations.push({ rule: 'error', detail: e });
  for (const f of forks) violations.push({ rule: 'agreement', detail: `logs diverged: ${f}` });
  return { seed: o.seed, violations, peers: n, committed: checker.committed, events: sched.events, virtualMs: sched.now(), faults };
}

interface FaultPlan {
  readonly random: Random;
  readonly sched: VirtualScheduler;
  readonly peers: SimPeer[];
  readonly network: ReturnType<typeof createMemoryNetwork>;
  readonly lease: SimLeaseService;
  readonly fault: (s: string) => void;
  readonly boot: (p: SimPeer) => void;
  readonly r: (a: number, b: number) => number;
  readonly kinds: readonly number[];
  readonly hostile: HostilePeer | null;
  readonly twinIncrements: (twin: SimPeer, count: number) => void;
  readonly errors: string[];
}

function scheduleFaults(f: FaultPlan): void {
  const { random, sched, peers, network, lease, fault, boot, r } = f;
  const restartLater = (victim: SimPeer): void => {
    sched.at(r(50, 900), () => {
      if (victim.alive) return;
      fault(`restart ${victim.id}`);
      boot(victim);
    });
  };
  // Older copies of every store, for stale restores.
  const copies = new Map<SimPeer, MemoryBacking>();
  if (f.kinds.includes(FaultKind.staleStore)) for (const p of peers) sched.at(r(100, 1500), () => copies.set(p, p.copyStore()));
  const count = 1 + randomInt(random, 5);
  for (let k = 0; k < count; k++) {
    const at = r(FAULT_WINDOW[0], FAULT_WINDOW[1]);
    const kind = f.kinds[randomInt(random, f.kinds.length)] ?? 0;
    sched.at(at, () => {
      const alive = peers.filter((p) => p.alive);
      const sequencer = peers.find((p) => p.id === lease.holder && p.alive);
      const anyone = alive[randomInt(random, alive.length)];
      switch (kind) {
        case FaultKind.crashPeer:
        case FaultKind.crashSequencer: {
          const victim = kind === FaultKind.crashSequencer ? sequencer : anyone;
          if (!victim || alive.length <= 1) return;
          fault(`crash ${victim.id}${kind === FaultKind.crashSequencer ? ' (sequencer)' : ''}`);
          victim.crash();
          return restartLater(victim);
        }
        case FaultKind.partition: {
          const cut = 1 + randomInt(random, peers.length - 1);
          const shuffled = [...peers].sort(() => random.next() - 0.5);
          const a = shuffled.slice(0, cut).map((p) => p.id);
          const b = shuffled.slice(cut).map((p) => p.id);
          fault(`partition [${a.join(',')}] | [${b.join(',')}]`);
          network.partition([a, b]);
          return void sched.at(r(100, 1000), () => {
            fault('heal partition');
            network.heal();
          });
        }
        case FaultKind.serverDown:
        case FaultKind.serverRestartLosingState: {
          const losing = kind === FaultKind.serverRestartLosingState;
          fault(losing ? 'signaling server restarts and forgets the room' : 'signaling server (lease service) down');
          lease.up = false;
          return void sched.at(r(losing ? 1 : 100, 900), () => {
            if (losing) lease.restartLosingState();
            fault('signaling server back');
            lease.up = true;
          });
        }
        case FaultKind.frozenTab: {
          const victim = random.next() < 0.7 ? (sequencer ?? anyone) : anyone;
          if (!victim) return;
          const ms = r(300, 1500);
          const pause = random.next() < 0.5;
          const reconnect = random.next() < 0.5 ? r(100, 800) : 0;
          fault(`freeze ${victim.id} for ${ms.toFixed(0)} ms${pause ? ', its clock paused' : ''}${reconnect ? `, signaling back ${reconnect.toFixed(0)} ms after` : ''}`);
          return victim.freeze(ms, pause, reconnect);
        }
        case FaultKind.cleanLeave: {
          const victim = random.next() < 0.5 ? (sequencer ?? anyone) : anyone;
          if (!victim || alive.length <= 2) return;
          fault(`${victim.id} leaves cleanly`);
          return void victim.leave().then(() => restartLater(victim));
        }
        case FaultKind.oneWayLink: {
          const a = peers[randomInt(random, peers.length)];
          const b = peers[randomInt(random, peers.length)];
          if (!a || !b || a === b) return;
          fault(`messages ${a.id} → ${b.id} lost`);
          a.blockedTo.add(b.id);
          return void sched.at(r(100, 1000), () => {
            fault(`messages ${a.id} → ${b.id} flow again`);
            a.blockedTo.delete(b.id);
          });
        }
        case FaultKind.staleStore: {
          const victim = anyone;
          const copy = victim && copies.get(victim);
          if (!victim || !copy || alive.length <= 1) return;
          fault(`crash ${victim.id}, its store restored from an older copy`);
          victim.crash();
          victim.restoreStore(copy);
          return restartLater(victim);
        }
        case FaultKind.hostilePeer:
          fault('hostile peer attacks');
          return f.hostile?.attack();
        case FaultKind.sharedIdentity: {
          const victim = anyone;
          if (!victim || victim.frozen) return;
          fault(`a second tab of ${victim.id} opens on its store (shared identity, refused by the server as a duplicate)`);
          const twin = victim.twin();
          void twin.boot().catch((e: unknown) => {
            if (!/simulated: |another process of this peer/.test(String(e))) f.errors.push(`${victim.id} (second tab) boot: ${String(e)}`);
          });
          f.twinIncrements(twin, 1 + randomInt(random, 3));
          return void sched.at(r(200, 900), () => {
            fault(`both tabs of ${victim.id} close; ${victim.id} reopens`);
            twin.crash();
            if (!victim.alive) return;
            victim.crash();
            sched.at(r(20, 200), () => !victim.alive && boot(victim));
          });
        }
      }
    });
  }
}

function wireTrace(filter: RegExp, out: (line: string) => void): (from: PeerId, to: PeerId, message: unknown) => void {
  return (from, to, message) => {
    const json = JSON.stringify(message);
    if (filter.test(`${from}>${to} ${json}`)) out(`${from} > ${to} ${json.length > 300 ? json.slice(0, 300) + '…' : json}`);
  };
}
