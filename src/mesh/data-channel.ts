// Backpressure on an RTCDataChannel, shared by the adapters that own one (webrtc, peerjs).
import type { Clock, TimerHandle } from '../core/clock';

/**
 * Resume once the channel's buffer is down to its low-water mark (`bufferedAmountLowThreshold`): on the
 * `bufferedamountlow` event, or when a poll every `pollMs` sees it, and after `fallbackMs` whatever the buffer
 * says (the sender re-checks and waits again). The poll is not only a safety net: @roamhq/wrtc (the Node
 * peers' WebRTC) never fires `bufferedamountlow`, so a bulk sender there stalled the whole fallback (250 ms)
 * at every high-water mark; a loaded browser can miss one too.
 */
export function onceDrained(channel: RTCDataChannel, resume: () => void, clock: Clock, pollMs = 1, fallbackMs = 250): void {
  let done = false;
  let timer: TimerHandle | null = null;
  const since = clock.now();
  const go = (): void => {
    if (done) return;
    done = true;
    if (timer) clock.clearTimeout(timer);
    channel.removeEventListener('bufferedamountlow', go); // a poll or the fallback won: no stale listener left
    resume();
  };
  const poll = (): void => {
    timer = null;
    if (channel.bufferedAmount <= (channel.bufferedAmountLowThreshold ?? 0) || clock.now() - since >= fallbackMs) return go();
    timer = clock.setTimeout(poll, pollMs);
  };
  channel.addEventListener('bufferedamountlow', go, { once: true });
  timer = clock.setTimeout(poll, pollMs);
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
