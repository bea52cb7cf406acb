// The machine worker's start-up guard: a start that stalls is abandoned for a fresh worker; errors are not
// retried. Workers are faked with MessageChannels speaking the real protocol (ready signal + comlink).
import { expose } from 'comlink';
import { describe, expect, it } from 'vitest';
import { startMachineWorker } from '../../workers/client/start-worker';
import { MACHINE_WORKER_READY } from '../../workers/machine-worker-ready';

type FakeWorker = Worker & { terminated: boolean };

/** A worker that answers `open` (or never starts, or fails to open). */
function fakeWorker(kind: 'ok' | 'stalls' | 'fails', peerId = 'p'): FakeWorker {
  const { port1, port2 } = new MessageChannel();
  const w = port1 as unknown as FakeWorker;
  w.terminated = false;
  (w as { terminate: () => void }).terminate = () => {
    w.terminated = true;
    port1.close();
  };
  if (kind !== 'stalls') {
    expose(
      {
        async open() {
          if (kind === 'fails') throw new Error('no IndexedDB here');
          return { peerId };
        },
      },
      port2 as never,
    );
    port2.postMessage(MACHINE_WORKER_READY);
  }
  return w;
}

const init = { room: 'r', displayName: 'me', preferredPeer: null, signaling: true, newHistory: true };
const noop = (): void => undefined;

describe('startMachineWorker', () => {
  it('abandons a stalled start for a fresh worker', async () => {
    const made: FakeWorker[] = [];
    const stalls: number[] = [];
    const kinds = ['stalls', 'ok'] as const;
    const started = await startMachineWorker({
      create: () => {
        const w = fakeWorker(kinds[made.length] ?? 'ok', `p${made.length}`);
        made.push(w);
        return w;
      },
      init,
      onSnapshot: noop,
      onActivity: noop,
      stallMs: 100,
      onStall: (attempt) => stalls.push(attempt),
    });
    expect(started.peerId).toBe('p1');
    expect(stalls).toEqual([1]);
    expect(made.map((w) => w.terminated)).toEqual([true, false]);
    started.port.close();
    started.stopPool();
    started.worker.terminate();
  });

  it('does not retry a start that failed, and terminates its worker', async () => {
    let w: FakeWorker | null = null;
    await expect(
      startMachineWorker({
        create: () => (w = fakeWorker('fails')),
        init,
        onSnapshot: noop,
        onActivity: noop,
        stallMs: 1000,
      }),
    ).rejects.toThrow('no IndexedDB here');
    expect((w as FakeWorker | null)?.terminated).toBe(true);
  });
});
