// Backpressure on an RTCDataChannel, shared by the adapters that own one (webrtc, peerjs).
import type { Clock } from '../core/clock';

/**
 * Resume on `bufferedamountlow`, with a timer as a safety net: a missed event (seen with native addons under
 * load) must cost a moment, never a stalled link.
 */
export function onceDrained(channel: RTCDataChannel, resume: () => void, clock: Clock, fallbackMs = 250): void {
  let done = false;
  const go = (): void => {
    if (done) return;
    done = true;
    clock.clearTimeout(timer);
    resume();
  };
  channel.addEventListener('bufferedamountlow', go, { once: true });
  const timer = clock.setTimeout(go, fallbackMs);
}
