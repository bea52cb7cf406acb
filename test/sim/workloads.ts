// The simulation's workloads, written as real reactors through the core API (reactor + createMachine):
// the distributed counter, Chymyst's distributed map/reduce, broadcast and chat.
import { reactor } from '../../src/core/reactor';

/** One `count` in the room; `count(n) + incr → count(n + 1)`. The driver emits count(0) once. */
export const simCounter = reactor({ name: 'sim-counter', version: '1.0.0' }, (r) => {
  const count = r.molecule<number>('count', { distributed: true });
  const incr = r.molecule<number>('incr', { distributed: true });
  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  return { count, incr };
});

export interface Partial {
  readonly n: number;
  readonly sum: number;
  readonly total: number;
}

/** Sum of squares: map awaits a (virtual) delay like a remote query; reduce joins partial sums. */
export const simMapReduce = (sleep: (ms: number) => Promise<void>, cost: () => number) =>
  reactor({ name: 'sim-mapreduce', version: '1.0.0' }, (r) => {
    const job = r.molecule<{ x: number; total: number }>('job', { distributed: true });
    const partial = r.molecule<Partial>('partial', { distributed: true });
    const result = r.molecule<Partial>('result', { distributed: true });
    r.react('map', [job], async ([j], out) => {
      await sleep(cost());
      const p = { n: 1, sum: j.x * j.x, total: j.total };
      out(p.n === p.total ? result : partial, p);
    });
    r.react('reduce', [partial, partial], ([a, b], out) => {
      const p = { n: a.n + b.n, sum: a.sum + b.sum, total: a.total };
      out(p.n === p.total ? result : partial, p);
    });
    return { job, partial, result };
  });

/**
 * Chymyst's broadcast: the single `broadcast` is consumed by each peer once (`see` is addressed to a peer
 * by value, emitted once per peer through its persistent outbox) and put back; responses gather in `roster`.
 */
export const simBroadcast = (me: string) =>
  reactor({ name: 'sim-broadcast', version: '1.0.0' }, (r) => {
    const broadcast = r.molecule<number>('broadcast', { distributed: true });
    const see = r.molecule<string>('see', { distributed: true });
    const response = r.molecule<string>('response', { distributed: true });
    const roster = r.molecule<string[]>('roster', { distributed: true });
    r.react('see-broadcast', [broadcast, see.when((p) => p === me)], ([b, p], out) => {
      out(broadcast, b);
      out(response, p);
    });
    r.react('collect', [roster, response], ([ps, s], out) => out(roster, [...ps, s]));
    return { broadcast, see, response, roster };
  });

/**
 * Chat: each peer's inbox is its own reactor (a chemically unique molecule, as in Chymyst), so only that
 * peer runs `receive`; the others emit into it without hosting it (delegation).
 */
export const simChat = (owner: string) =>
  reactor({ name: `sim-chat-${owner}`, version: '1.0.0' }, (r) => {
    const inbox = r.molecule<{ from: string; n: number }>('inbox', { distributed: true });
    r.react('receive', [inbox], () => undefined);
    return { inbox };
  });
