// Static molecules, definition-time errors, failing reactions and retries.
import { describe, expect, it } from 'vitest';
import { createMachine, reactor, type Molecule } from '../../src/core';

const valuesOf = (m: ReturnType<typeof createMachine>, name: string): readonly unknown[] => m.molecules().find((x) => x.name === name)?.values ?? [];

describe('static molecules', () => {
  const seats = reactor({ name: 'seats', version: '1' }, (r) => {
    const seat = r.molecule<number>('seat', { static: 3 });
    const take = r.molecule('take');
    const forget = r.molecule('forget');
    const greedy = r.molecule('greedy');
    const taken = r.molecule<number>('taken');
    r.react('take', [seat, take], ([n], out) => {
      out(seat, n - 1);
      out(taken, n);
    });
    r.react('forget', [seat, forget], () => undefined);
    r.react('greedy', [seat, greedy], ([n], out) => {
      out(seat, n);
      out(seat, n);
    });
    return { seat, take, forget, greedy };
  });

  it('is emitted once at load and re-emitted by its consumers', () => {
    const machine = createMachine();
    const s = machine.load(seats);
    expect(valuesOf(machine, 'seat')).toEqual([3]);
    s.emit.take();
    s.emit.take();
    expect(valuesOf(machine, 'seat')).toEqual([1]);
    machine.dispose();
  });

  it('cannot be emitted from outside', () => {
    const machine = createMachine();
    const s = machine.load(seats);
    expect(() => (s.emit.seat as (n: number) => void)(9)).toThrow(/static molecule "seat" is emitted by reactor "seats" itself/);
    machine.dispose();
  });

  it('a consumer that does not re-emit is reported and the value restored', async () => {
    const machine = createMachine();
    const errors: string[] = [];
    machine.on('error', (e) => errors.push(e.error.message));
    const s = machine.load(seats);
    s.emit.forget();
    await machine.idle();
    expect(errors).toEqual(['reaction "forget" consumed static molecule "seat" without re-emitting it; its consumed value was restored']);
    expect(valuesOf(machine, 'seat')).toEqual([3]);
    machine.dispose();
  });

  it('re-emitting twice fails the reaction and keeps exactly one copy', async () => {
    const machine = createMachine();
    const failures: string[] = [];
    machine.on('reaction-failed', (e) => failures.push(e.error.message));
    const s = machine.load(seats);
    s.emit.greedy();
    await machine.idle();
    expect(failures).toEqual(['reaction "greedy" re-emitted static molecule "seat" twice']);
    expect(valuesOf(machine, 'seat')).toEqual([3]);
    machine.dispose();
  });

  it('restore replaces the static default and restores local molecules', () => {
    const machine = createMachine();
    machine.load(seats, { restore: [{ name: 'seat', value: 1 }, { name: 'take', value: undefined }] });
    expect(valuesOf(machine, 'seat')).toEqual([0]);
    expect(valuesOf(machine, 'taken')).toEqual([1]);
    machine.dispose();
  });
});

describe('clear errors at definition and load time', () => {
  it('rejects duplicate molecule and reaction names, foreign inputs and bad options', () => {
    expect(() => reactor({ name: 'x', version: '1' }, (r) => ({ a: r.molecule('a'), b: r.molecule('a') }))).toThrow('reactor "x": molecule "a" is declared twice');
    expect(() =>
      reactor({ name: 'x', version: '1' }, (r) => {
        const a = r.molecule('a');
        r.react('f', [a], () => undefined);
        r.react('f', [a], () => undefined);
        return { a };
      }),
    ).toThrow('reaction "f" is declared twice');
    const other = reactor({ name: 'other', version: '1' }, (r) => ({ m: r.molecule<number>('m') }));
    expect(() =>
      reactor({ name: 'x', version: '1' }, (r) => {
        r.react('steal', [other.exports.m], () => undefined);
        return {};
      }),
    ).toThrow('reactor "x": reaction "steal" consumes molecule "m" of another reactor; a molecule is bound to exactly one reactor');
    expect(() => reactor({ name: 'x', version: '1' }, (r) => ({ m: r.molecule('m', { static: 1, distributed: true }) }))).toThrow(/cannot be distributed/);
    expect(() =>
      reactor({ name: 'x', version: '1' }, (r) => {
        const a = r.molecule('a');
        r.react('f', [a], () => undefined, { concurrency: 0 });
        return { a };
      }),
    ).toThrow(/concurrency must be a positive integer/);
    expect(() => reactor({ name: 'x', version: '1' }, () => ({ m: other.exports.m }))).toThrow(/returned "m", which is not a molecule of this reactor/);
    expect(() =>
      reactor({ name: 'x', version: '1' }, (r) => {
        const d = r.molecule<number>('d', { distributed: true });
        const s = r.molecule<number>('s', { static: 0 });
        r.react('mix', [d, s], () => undefined);
        return { d };
      }),
    ).toThrow(/mixes distributed inputs with static molecules/);
  });

  it('rejects loading twice, emitting into an unloaded reactor and unknown names', async () => {
    const echo = reactor({ name: 'echo', version: '1' }, (r) => {
      const a = r.molecule<number>('a');
      return { a };
    });
    const target = reactor({ name: 'target', version: '1' }, (r) => ({ t: r.molecule<number>('t') }));
    const sender = reactor({ name: 'sender', version: '1' }, (r) => {
      const go = r.molecule('go');
      r.react('send', [go], (_v, out) => out(target.exports.t as Molecule<number>, 1));
      return { go };
    });
    const machine = createMachine();
    const e = machine.load(echo);
    expect(() => machine.load(echo)).toThrow(/already loaded in this machine/);
    expect(() => e.feed('nope', 1)).toThrow('reactor "echo" has no molecule "nope"');
    const failures: string[] = [];
    machine.on('reaction-failed', (ev) => failures.push(ev.error.message));
    const s = machine.load(sender);
    s.emit.go();
    expect(failures).toEqual(['molecule "t" belongs to reactor "target", which is not loaded in this machine']);
    machine.load(target);
    s.emit.go();
    expect(valuesOf(machine, 't')).toEqual([1]);
    machine.unload(e.id);
    expect(() => e.emit.a(1)).toThrow('cannot emit "a": reactor "echo" is not loaded');
    machine.dispose();
  });
});

describe('failing reactions', () => {
  const make = (failuresBeforeSuccess: number, retry: boolean) => {
    let calls = 0;
    return reactor({ name: `flaky-${failuresBeforeSuccess}-${retry}`, version: '1' }, (r) => {
      const job = r.molecule<number>('job');
      const done = r.molecule<number>('done');
      r.react('work', [job], ([n], out) => {
        if (calls++ < failuresBeforeSuccess) throw new Error(`boom ${calls}`);
        out(done, n);
      }, retry ? { retry: { attempts: 5, backoffMs: 1 } } : {});
      return { job };
    });
  };

  it('without retry: reaction-failed is reported and the inputs are dropped', async () => {
    const machine = createMachine();
    const failed: { message: string; retried: boolean }[] = [];
    machine.on('reaction-failed', (e) => failed.push({ message: e.error.message, retried: e.retried }));
    machine.load(make(1, false)).emit.job(7);
    await machine.idle();
    expect(failed).toEqual([{ message: 'boom 1', retried: false }]);
    expect(valuesOf(machine, 'job')).toEqual([]);
    expect(valuesOf(machine, 'done')).toEqual([]);
    machine.dispose();
  });

  it('with retry: runs again with the same inputs until it succeeds', async () => {
    const machine = createMachine();
    const attempts: number[] = [];
    machine.on('reaction-started', (e) => attempts.push(e.attempt));
    machine.load(make(2, true)).emit.job(7);
    await machine.idle();
    expect(attempts).toEqual([1, 2, 3]);
    expect(valuesOf(machine, 'done')).toEqual([7]);
    expect(machine.stats().failures).toBe(2);
    machine.dispose();
  });

  it('with retry: gives up after the last attempt', async () => {
    const machine = createMachine();
    const retried: boolean[] = [];
    machine.on('reaction-failed', (e) => retried.push(e.retried));
    machine.load(make(100, true)).emit.job(7);
    await machine.idle();
    expect(retried).toEqual([true, true, true, true, false]);
    expect(valuesOf(machine, 'done')).toEqual([]);
    machine.dispose();
  });
});

describe('bounded search', () => {
  it('gives up and reports when a guarded search exceeds its budget', () => {
    const pairs = reactor({ name: 'pairs', version: '1' }, (r) => {
      const x = r.molecule<number>('x');
      const hit = r.molecule<number>('hit');
      r.react('pair', [x, x], ([a, b], out) => out(hit, a + b), { guard: ([a, b]) => a + b === -1 });
      return { x };
    });
    const machine = createMachine({ searchBudget: 50 });
    const errors: string[] = [];
    machine.on('error', (e) => errors.push(e.error.message));
    const p = machine.load(pairs);
    for (let i = 0; i < 20; i++) p.emit.x(i);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBe('reaction "pair": search gave up after 50 candidates; it will be tried again on the next emission');
    expect(machine.stats().searchSteps).toBeGreaterThan(50);
    expect(valuesOf(machine, 'x')).toHaveLength(20);
    machine.dispose();
  });
});
