import { describe, expect, it } from 'vitest';
import { NoReplyError, TimeoutError, createMachine, reactor } from '../../src/core';

const service = reactor({ name: 'blocking-service', version: '1' }, (r) => {
  const gate = r.molecule('gate');
  const ask = r.blocking<number, number>('ask');
  const slow = r.blocking<number, number>('slow');
  const forgetful = r.blocking<void, number>('forgetful');
  const replied = r.molecule<boolean>('replied');
  const twice = r.blocking<void, string>('twice');
  const answers = r.molecule<boolean[]>('answers');
  r.react('answer', [ask, gate], ([call], out) => {
    out(gate);
    call.reply(call.value * 2);
  });
  r.react('slow', [slow], async ([call], out) => {
    await new Promise((resolve) => setTimeout(resolve, 40));
    out(replied, call.reply(call.value));
  });
  r.react('forget', [forgetful], () => undefined);
  r.react('twice', [twice], ([call], out) => out(answers, [call.reply('first'), call.reply('second')]));
  return { gate, ask, slow, forgetful, twice };
});

const valuesOf = (m: ReturnType<typeof createMachine>, name: string): readonly unknown[] => m.molecules().find((x) => x.name === name)?.values ?? [];

describe('blocking molecules', () => {
  it('resolve with the reply', async () => {
    const machine = createMachine();
    const s = machine.load(service);
    s.emit.gate();
    expect(await s.emit.ask(21)).toBe(42);
    machine.dispose();
  });

  it('time out with TimeoutError and leave the soup; a later caller is still served', async () => {
    const machine = createMachine();
    const s = machine.load(service);
    const err = await s.emit.ask(1, { timeoutMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/"ask" got no reply within 10 ms/);
    expect(valuesOf(machine, 'ask')).toEqual([]);
    s.emit.gate();
    expect(valuesOf(machine, 'gate')).toEqual([undefined]); // the timed-out call did not consume it
    expect(await s.emit.ask(5)).toBe(10);
    machine.dispose();
  });

  it('a late reply reports false', async () => {
    const machine = createMachine();
    const s = machine.load(service);
    await expect(s.emit.slow(7, { timeoutMs: 5 })).rejects.toBeInstanceOf(TimeoutError);
    await machine.idle();
    expect(valuesOf(machine, 'replied')).toEqual([false]);
    expect(await s.emit.slow(8, { timeoutMs: 1000 })).toBe(8);
    await machine.idle();
    expect(valuesOf(machine, 'replied')).toEqual([false, true]);
    machine.dispose();
  });

  it('a body that finishes without replying rejects the caller with a clear error', async () => {
    const machine = createMachine();
    const errors: string[] = [];
    machine.on('error', (e) => errors.push(e.error.message));
    const s = machine.load(service);
    const err = await s.emit.forgetful().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoReplyError);
    expect((err as Error).message).toBe('reaction "forget" finished without replying to blocking molecule "forgetful"');
    expect(errors).toEqual([(err as Error).message]);
    machine.dispose();
  });

  it('exactly one reply: the second reply reports false', async () => {
    const machine = createMachine();
    const s = machine.load(service);
    expect(await s.emit.twice()).toBe('first');
    expect(valuesOf(machine, 'answers')).toEqual([[true, false]]);
    machine.dispose();
  });

  it('unloading rejects waiting callers', async () => {
    const machine = createMachine();
    const s = machine.load(service);
    const pending = s.emit.ask(3);
    machine.unload(s.id);
    await expect(pending).rejects.toThrow(/unloaded/);
    machine.dispose();
  });
});
