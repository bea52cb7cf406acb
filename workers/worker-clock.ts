// A Clock whose timers run in a dedicated worker. Browsers throttle timers on a hidden tab's main thread
// (to about once a second, far less after minutes hidden), but not in workers, and a worker's message
// wakes the page at once. The mesh room (heartbeats every 250 ms, peers declared dead after 1.1 s),
// the signaling client's pings and the lease renewals run on the main thread, because RTCPeerConnection
// exists only there; driven by this clock, a tab in the background keeps its place in the room.
import { systemClock, type Clock, type TimerHandle } from '../src/core/clock';

/** The two ends talk in plain messages: `{ id, ms }` arms a timer, `{ cancel }` disarms, `id` = fired. */
type TimerRequest = { readonly id: number; readonly ms: number } | { readonly cancel: number };

export interface TimerPort {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** The main-thread side: `setTimeout` is served by the worker behind `port`. */
export function workerClock(port: TimerPort): Clock & { dispose(): void } {
  let next = 1;
  const pending = new Map<number, () => void>();
  port.onmessage = (event) => {
    const id = event.data;
    if (typeof id !== 'number') return;
    const fn = pending.get(id);
    if (!fn) return;
    pending.delete(id);
    fn();
  };
  return {
    now: () => systemClock.now(),
    setTimeout(fn, ms) {
      const id = next++;
      pending.set(id, fn);
      port.postMessage({ id, ms: Math.max(0, ms) } satisfies TimerRequest);
      return id as unknown as TimerHandle;
    },
    clearTimeout(handle) {
      const id = handle as unknown as number;
      if (pending.delete(id)) port.postMessage({ cancel: id } satisfies TimerRequest);
    },
    ...(systemClock.defer ? { defer: systemClock.defer } : {}),
    dispose() {
      pending.clear();
      port.onmessage = null;
    },
  };
}

/** The worker side: arm and disarm timers as asked, answer each with its id when it fires. */
export function serveTimers(port: TimerPort): void {
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  port.onmessage = (event) => {
    const m = event.data as Partial<{ id: number; ms: number; cancel: number }> | null;
    if (!m || typeof m !== 'object') return;
    if (typeof m.cancel === 'number') {
      clearTimeout(timers.get(m.cancel));
      timers.delete(m.cancel);
      return;
    }
    const { id, ms } = m;
    if (typeof id !== 'number' || typeof ms !== 'number') return;
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id);
        port.postMessage(id);
      }, ms),
    );
  };
}
