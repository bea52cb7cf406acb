// The distributed code path (claim → body → commit / fence / release) against the single-peer port.
import { describe, expect, it } from 'vitest';
import { NoReplyError, createMachine, createSinglePeerPort, reactor, type Machine } from '../../src/core';

const valuesOf = (m: Machine, name: string): readonly unknown[] => m.molecules().find((x) => x.name === name)?.values ?? [];
const until = async (m: Machine, done: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !done(); i++) {
    await m.idle();
    if (!done()) await new Promise((r) => setTimeout(r, 5));
  }
  expect(done()).toBe(true);
};

describe('distributed reactions with a room of one', () => {
  it('sums distributed molecules; a distributed blocking call is answered through the commit', async () => {
    const summing = reactor({ name: 'dsum', version: '1' }, (r) => {
      const n = r.molecule<number>('n', { distributed: true });
      const count = r.molecule<number>('count', { distributed: true });
      const total = r.blocking<number, number>('total', { distributed: true });
      r.react('add', [n, n, count], ([a, b, c], out) => {
        out(n, a + b);
        out(count, c + 1);
      });
      r.react('total', [n, count, total], ([x, c, call], out) => {
        out(n, x);
        out(count, c);
        call.reply(x);
      }, { guard: ([, c, call]) => c === call.value });
      return { n, count, total };
    });
    const port = createSinglePeerPort();
    const machine = createMachine({ distributed: port });
    const d = machine.load(summing);
    d.emit.count(0);
    for (let i = 1; i <= 10; i++) d.emit.n(i);
    expect(await d.emit.total(9, { timeoutMs: 5000 })).toBe(55);
    await machine.idle();
    expect(valuesOf(machine, 'n')).toEqual([55]);
    expect(port.outstandingClaims()).toEqual([]);
    machine.dispose();
  });

  it('local inputs are taken tentatively; outputs and replies apply only after the commit', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const mixed = reactor({ name: 'mixed', version: '1' }, (r) => {
      const job = r.molecule<number>('job', { distributed: true });
      const worker = r.molecule<string>('worker');
      const done = r.molecule<number>('done');
      const ask = r.blocking<void, number>('ask');
      r.react('work', [job, worker, ask], async ([n, w, call], out) => {
        await gate;
        out(worker, w);
        out(done, n * 10);
        call.reply(n);
      });
      return { job, worker, ask };
    });
    const machine = createMachine();
    const m = machine.load(mixed);
    m.emit.worker('w1');
    const answer = m.emit.ask();
    m.emit.job(4);
    await new Promise((r) => setTimeout(r, 5));
    expect(valuesOf(machine, 'worker')).toEqual([]); // taken tentatively
    expect(valuesOf(machine, 'done')).toEqual([]);
    release();
    expect(await answer).toBe(4);
    await machine.idle();
    expect(valuesOf(machine, 'done')).toEqual([40]);
    expect(valuesOf(machine, 'worker')).toEqual(['w1']);
    expect(valuesOf(machine, 'job')).toEqual([]);
    machine.dispose();
  });

  it('a fenced commit discards outputs and returns the local inputs; the run is retried', async () => {
    const port = createSinglePeerPort();
    let runs = 0;
    let fence = true;
    const fenced = reactor({ name: 'fenced', version: '1' }, (r) => {
      const job = r.molecule<number>('job', { distributed: true });
      const token = r.molecule('token');
      const done = r.molecule<number>('done');
      r.react('work', [job, token], async ([n], out) => {
        runs++;
        await Promise.resolve();
        if (fence) {
          fence = false;
          port.revokeClaims(); // the lease expired while the body ran
        }
        out(token);
        out(done, n);
      });
      return { job, token };
    });
    const machine = createMachine({ distributed: port });
    const outcomes: string[] = [];
    machine.on('reaction-finished', (e) => outcomes.push(e.outcome));
    const f = machine.load(fenced);
    f.emit.token();
    f.emit.job(1);
    await until(machine, () => valuesOf(machine, 'done').length === 1);
    expect(outcomes).toEqual(['fenced', 'ok']);
    expect(runs).toBe(2);
    expect(valuesOf(machine, 'token')).toEqual([undefined]);
    expect(machine.stats().commitsFenced).toBe(1);
    machine.dispose();
  });

  it('a throwing body releases its claim: the molecule returns to the room and is consumed later', async () => {
    let throws = 2;
    const flaky = reactor({ name: 'dflaky', version: '1' }, (r) => {
      const job = r.molecule<number>('job', { distributed: true });
      const done = r.molecule<number>('done');
      r.react('work', [job], ([n], out) => {
        if (throws-- > 0) throw new Error('transient');
        out(done, n);
      });
      return { job };
    });
    const port = createSinglePeerPort();
    const machine = createMachine({ distributed: port });
    const failed: boolean[] = [];
    machine.on('reaction-failed', (e) => failed.push(e.retried));
    machine.load(flaky).emit.job(9);
    await until(machine, () => valuesOf(machine, 'done').length === 1);
    expect(failed).toEqual([true, true]);
    expect(valuesOf(machine, 'done')).toEqual([9]);
    expect(port.outstandingClaims()).toEqual([]);
    machine.dispose();
  });

  it('a distributed caller gets a clear error when the consuming body forgets to reply', async () => {
    const forgetful = reactor({ name: 'dforget', version: '1' }, (r) => {
      const ask = r.blocking<number, number>('ask', { distributed: true });
      r.react('ignore', [ask], () => undefined);
      return { ask };
    });
    const machine = createMachine();
    const err = await machine.load(forgetful).emit.ask(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoReplyError);
    expect((err as Error).message).toMatch(/finished without replying to blocking molecule "ask"/);
    machine.dispose();
  });

  it('concurrency defaults to 1 for distributed reactions', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = reactor({ name: 'dslow', version: '1' }, (r) => {
      const job = r.molecule<number>('job', { distributed: true });
      const done = r.molecule<number>('done');
      r.react('work', [job], async ([n], out) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((res) => setTimeout(res, 1));
        inFlight--;
        out(done, n);
      });
      return { job };
    });
    const machine = createMachine();
    const s = machine.load(slow);
    for (let i = 0; i < 10; i++) s.emit.job(i);
    await until(machine, () => valuesOf(machine, 'done').length === 10);
    expect(maxInFlight).toBe(1);
    machine.dispose();
  });

  it('two machines on one room share the work and consume every molecule exactly once', async () => {
    const jobs = reactor({ name: 'shared-jobs', version: '1' }, (r) => {
      const job = r.molecule<number>('job', { distributed: true });
      const done = r.molecule<number>('done');
      r.react('work', [job], async ([n], out) => {
        await new Promise((res) => setTimeout(res, 1));
        out(done, n);
      });
      return { job };
    });
    const port = createSinglePeerPort();
    const a = createMachine({ distributed: port });
    const b = createMachine({ distributed: port });
    const la = a.load(jobs);
    b.load(jobs);
    for (let i = 0; i < 60; i++) la.emit.job(i);
    const doneCount = (): number => valuesOf(a, 'done').length + valuesOf(b, 'done').length;
    await until(a, () => doneCount() === 60);
    await b.idle();
    const all = [...valuesOf(a, 'done'), ...valuesOf(b, 'done')] as number[];
    expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(valuesOf(a, 'done').length).toBeGreaterThan(5);
    expect(valuesOf(b, 'done').length).toBeGreaterThan(5);
    a.dispose();
    b.dispose();
  });
});

describe('the commit window (runs whose body finished, awaiting their acknowledgement)', () => {
  it('starts at 16, grows by one per acknowledged commit and halves (to no less than 4) per fenced one', async () => {
    const port = createSinglePeerPort();
    // Hold every commit until the test lets it go, so the runs awaiting acknowledgement can be counted.
    const held: { go: () => Promise<boolean>; done: (ok: boolean) => void }[] = [];
    const slow = new Proxy(port, {
      get(target, key) {
        if (key === 'commit') {
          return (...args: Parameters<typeof port.commit>) =>
            new Promise<boolean>((done) => held.push({ go: () => port.commit(...args), done }));
        }
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const jobs = reactor({ name: 'window', version: '1' }, (r) => {
      const job = r.molecule<number>('job', { distributed: true });
      r.react('work', [job], () => undefined);
      return { job };
    });
    const machine = createMachine({ distributed: slow });
    const j = machine.load(jobs);
    for (let i = 0; i < 200; i++) j.emit.job(i);
    const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const release = async (n: number): Promise<void> => {
      for (const h of held.splice(0, n)) h.done(await h.go());
      await settle();
    };
    await settle();
    expect(held).toHaveLength(16);
    await release(16); // 16 acknowledged: the window is 32
    expect(held).toHaveLength(32);
    port.revokeClaims(); // every claim in flight lost (a new sequencer): each of these commits is fenced
    await release(32);
    // 32 halvings end at the floor; the fenced runs retry after their backoff (≤ 1.5 s)
    for (let i = 0; i < 100 && held.length < 4; i++) await settle();
    await settle(100);
    expect(held).toHaveLength(4);
    expect(machine.stats().commitsFenced).toBe(32);
    for (let i = 0; i < 100 && held.length > 0; i++) await release(held.length);
    machine.dispose();
  });
});
