// The main-thread room's clock with its timers in a worker (here: the other end of a MessageChannel).
import { afterEach, describe, expect, it } from 'vitest';
import { serveTimers, workerClock, type TimerPort } from '../../workers/worker-clock';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

function clockOverChannel(): ReturnType<typeof workerClock> {
  const c = new MessageChannel();
  channels.push(c);
  serveTimers(c.port1 as unknown as TimerPort);
  return workerClock(c.port2 as unknown as TimerPort);
}

describe('workerClock', () => {
  it('fires timers in deadline order, each once, not before its delay', async () => {
    const clock = clockOverChannel();
    const fired: string[] = [];
    const t0 = clock.now();
    const at: Record<string, number> = {};
    const arm = (name: string, ms: number): void =>
      void clock.setTimeout(() => {
        fired.push(name);
        at[name] = clock.now() - t0;
      }, ms);
    arm('b', 30);
    arm('a', 5);
    arm('c', 60);
    await new Promise((r) => setTimeout(r, 120));
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(at['b']).toBeGreaterThanOrEqual(29);
    expect(at['c']).toBeGreaterThanOrEqual(59);
  });

  it('a cleared timer never fires, and dispose stops the rest', async () => {
    const clock = clockOverChannel();
    const fired: string[] = [];
    const h = clock.setTimeout(() => fired.push('cleared'), 10);
    clock.setTimeout(() => fired.push('kept'), 10);
    clock.clearTimeout(h);
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toEqual(['kept']);
    clock.setTimeout(() => fired.push('after dispose'), 5);
    clock.dispose();
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual(['kept']);
  });
});
