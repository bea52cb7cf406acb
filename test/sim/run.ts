// One simulated run: N peers, all four workloads, a seeded fault schedule, then heal everything, wait for
// quiescence and check the whole history. Everything derives from the seed, so a run replays exactly.
import { seededRandom, randomInt, type Random } from '../../src/core/clock';
import { asPeerId, type PeerId } from '../../src/core/ids';
import type { ProtocolFaults, RoomTimings } from '../../src/dcm/context';
import type { ClaimMode } from '../../src/dcm/requester';
import { createMemoryNetwork } from '../../src/mesh/memory';
import { Checker, type Violation } from './checker';
import { SimLeaseService } from './lease-service';
import { SimPeer, type PeerWorld } from './peer';
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
  /** Only these fault kinds (0 crash a peer, 1 crash the sequencer, 2 partition, 3 server loss); default all. */
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

const FAULT_WINDOW = [150, 2500] as const;
const HEAL_AT = 3000;
const DEADLINE = 40_000;

export async function runSimulation(o: SimOptions): Promise<SimResult> {
  const random = seededRandom(o.seed);
  const r = (a: number, b: number): number => a + random.next() * (b - a);
  const sched = new VirtualScheduler();
  const trace = o.trace;
  const say = (s: string): void => trace?.(`${sched.now().toFixed(1).padStart(8)}ms  ${s}`);
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
    observe(peer, room) {
      room.on('applied', (a) => {
        if (!checker.has(a.index)) {
          const json = JSON.stringify(a.entry);
          const configs = [checker.configAt(a.index), ...peers.filter((p) => p.alive && p.room).map((p) => p.room?.status().members ?? [])];
          const byId = new Map(peers.map((p) => [p.id as string, p]));
          checker.firstApplied(peer.id, a.index, a.entry, (id) => byId.get(id)?.stores(a.index, json) ?? false, configs);
        }
        checker.applied(peer.id, a.index, a.entry);
      });
      room.on('history', (e) => {
        checker.fact(sched.now(), peer.id, e);
        if (trace && e.type !== 'emitted') say(`${peer.id} ${e.type} ${JSON.stringify({ ...e, type: undefined })}`);
      });
    },
    onError: (peer, e) => errors.push(`${peer}: ${e.message}`),
  };
  const ids: PeerId[] = Array.from({ length: n }, (_, i) => asPeerId(`p${i}`));
  const peers = ids.map((id) => new SimPeer(id, world));
  const sleepNever = (): Promise<void> => new Promise(() => undefined);
  const chatIds = new Map(ids.map((p) => [p as string, simChat(p).id as string]));
  const reactorIds = { counter: simCounter.id, map: simMapReduce(sleepNever, () => 0).id, broadcast: simBroadcast('x').id };
  say(`seed ${o.seed}: ${n} peers, ${claimMode} claims, reorder=${reorder}, compactEvery=${timings.compactEvery}, map ${mapJobs} jobs`);

  const faults: string[] = [];
  const fault = (s: string): void => {
    faults.push(`${sched.now().toFixed(0)}ms ${s}`);
    say(`FAULT ${s}`);
  };
  const firstAlive = (): SimPeer | undefined => peers.find((p) => p.alive && p.reactors);
  const boot = (p: SimPeer): void => void p.boot().catch((e: unknown) => errors.push(`${p.id} boot: ${String(e)}`));

  // Workload drivers.
  let increments = 0;
  const chats: { to: string; reactor: string; n: number; from: string }[] = [];
  const seers: string[] = [];
  for (const p of peers) sched.at(r(0, 20), () => boot(p));
  sched.at(40, () => {
    const p = firstAlive();
    p?.reactors?.counter.feed('count', 0);
    p?.reactors?.broadcast.feed('roster', []);
    p?.reactors?.broadcast.feed('broadcast', 1);
  });
  for (const p of peers) {
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
      const p = peers[randomInt(random, n)];
      if (!p?.reactors) return;
      p.reactors.counter.feed('incr', 1);
      increments++;
    });
  }
  for (let k = 0; k < 6; k++) {
    sched.at(r(50, HEAL_AT), () => {
      const from = peers[randomInt(random, n)];
      const to = ids[randomInt(random, n)] as string;
      if (!from?.room) return;
      const reactor = chatIds.get(to) as string;
      from.room.emit(reactor as never, 'inbox', { from: from.id, n: k });
      chats.push({ to, reactor, n: k, from: from.id });
    });
  }
  if (o.faults !== false) scheduleFaults(random, sched, peers, network, lease, fault, boot, r, o.faultKinds ?? [0, 1, 2, 3]);
  sched.at(HEAL_AT, () => {
    network.heal();
    network.setFaults({ dropRate: 0, duplicateRate: 0 });
    lease.up = true;
    for (const p of peers) if (!p.alive) boot(p);
    say('HEAL everything; restart crashed peers');
  });

  const quiet = (): boolean => {
    if (sched.now() < HEAL_AT + 200) return false;
    const live = peers.map((p) => p.room?.status());
    if (live.some((s) => !s || s.outbox > 0 || s.claimsInFlight > 0)) return false;
    const ci = new Set(live.map((s) => s?.commitIndex));
    if (ci.size !== 1) return false;
    const results = checker.molecules(reactorIds.map, 'result').length;
    const counts = checker.molecules(reactorIds.counter, 'count');
    const roster = checker.molecules(reactorIds.broadcast, 'roster')[0]?.value as string[] | undefined;
    const inboxes = [...chatIds.values()].some((c) => checker.molecules(c, 'inbox').length > 0);
    return results === 1 && counts.length === 1 && counts[0]?.value === increments && roster?.length === seers.length && !inboxes;
  };
  let settledAt = Infinity;
  await sched.run(DEADLINE, () => {
    if (settledAt === Infinity && quiet()) settledAt = sched.now();
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
  const live = peers.map((p) => ({ peer: p.id, commitIndex: p.room?.status().commitIndex ?? -1, outbox: p.room?.status().outbox ?? -1 }));
  const violations = checker.finish(live, increments, chats);
  if (settledAt === Infinity) violations.push({ rule: 'progress', detail: `not quiescent by ${DEADLINE} ms (committed ${checker.committed})` });
  for (const e of errors) violations.push({ rule: 'error', detail: e });
  return { seed: o.seed, violations, peers: n, committed: checker.committed, events: sched.events, virtualMs: sched.now(), faults };
}

function scheduleFaults(
  random: Random,
  sched: VirtualScheduler,
  peers: SimPeer[],
  network: ReturnType<typeof createMemoryNetwork>,
  lease: SimLeaseService,
  fault: (s: string) => void,
  boot: (p: SimPeer) => void,
  r: (a: number, b: number) => number,
  kinds: readonly number[],
): void {
  const count = 1 + randomInt(random, 5);
  for (let k = 0; k < count; k++) {
    const at = r(FAULT_WINDOW[0], FAULT_WINDOW[1]);
    const kind = kinds[randomInt(random, kinds.length)] ?? 0;
    sched.at(at, () => {
      const alive = peers.filter((p) => p.alive);
      if (kind === 0 || kind === 1) {
        // 0: a random peer crashes; 1: the sequencer (lease holder) crashes.
        const victim = kind === 1 ? peers.find((p) => p.id === lease.holder && p.alive) : alive[randomInt(random, alive.length)];
        if (!victim || alive.length <= 1) return;
        fault(`crash ${victim.id}${kind === 1 ? ' (sequencer)' : ''}`);
        victim.crash();
        sched.at(r(50, 900), () => {
          if (victim.alive) return;
          fault(`restart ${victim.id}`);
          boot(victim);
        });
      } else if (kind === 2) {
        const cut = 1 + randomInt(random, peers.length - 1);
        const shuffled = [...peers].sort(() => random.next() - 0.5);
        const a = shuffled.slice(0, cut).map((p) => p.id);
        const b = shuffled.slice(cut).map((p) => p.id);
        fault(`partition [${a.join(',')}] | [${b.join(',')}]`);
        network.partition([a, b]);
        sched.at(r(100, 1000), () => {
          fault('heal partition');
          network.heal();
        });
      } else {
        fault('signaling server (lease service) down');
        lease.up = false;
        sched.at(r(100, 900), () => {
          fault('signaling server back');
          lease.up = true;
        });
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
