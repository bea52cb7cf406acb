// The room's LeaseClient: a stable object for the elector that forwards to whichever signaling client the
// room's current session uses, so a leave + rejoin (a new client) does not orphan the elector's listeners.
import type { LeaseClient, LeaseState } from '../lease';
import type { SignalingClient } from '../signaling-client';

export class LeaseMirror implements LeaseClient {
  #client: SignalingClient | null = null;
  #off: (() => void) | null = null;
  readonly #listeners = new Set<(s: LeaseState) => void>();

  /** Point at the session's client (null while the room is not joined). */
  bind(client: SignalingClient | null): void {
    this.#off?.();
    this.#off = null;
    this.#client = client;
    if (client) this.#off = client.onLease((s) => this.#listeners.forEach((l) => l(s)));
  }

  get online(): boolean {
    return this.#client?.online ?? false;
  }

  requestLease(minEpoch: number): void {
    this.#client?.requestLease(minEpoch);
  }

  releaseLease(): void {
    this.#client?.releaseLease();
  }

  onLease(listener: (state: LeaseState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
