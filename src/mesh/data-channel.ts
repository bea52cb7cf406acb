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
    channel.removeEventListener('bufferedamountlow', go); // the timer won: no stale listener left behind
    resume();
  };
  channel.addEventListener('bufferedamountlow', go, { once: true });
  const timer = clock.setTimeout(go, fallbackMs);
}

/**
 * Frame size for a data channel: what SCTP negotiated (RTCSctpTransport.maxMessageSize), capped at 256 KiB
 * (Chrome's limit; larger messages also hold the channel longer), and 64 KiB when the browser does not say.
 * A 64 KiB application message then fits one frame instead of two.
 */
export function frameBytesFor(pc: RTCPeerConnection | undefined): number {
  const max = pc?.sctp?.maxMessageSize;
  if (typeof max !== 'number' || !(max > 0)) return 64 * 1024;
  return Math.max(16 * 1024, Math.min(max, 256 * 1024));
}
