// The leadership lease the signaling server grants per room (ZooKeeper-ephemeral-node style).
// Implemented by the signaling client (src/mesh); consumed by the server-lease elector (src/dcm).
import type { Epoch, PeerId } from '../core/ids';

export interface LeaseState {
  /** Current holder, or null while nobody holds it. */
  readonly holder: PeerId | null;
  readonly epoch: Epoch;
  /** How long the grant or renewal is valid, counted by the holder from when it *sent* the request. */
  readonly ttlMs: number;
}

export interface LeaseClient {
  /** Ask for the lease (or keep renewing it). `minEpoch`: the highest epoch this peer has seen, so epochs survive a server restart. */
  requestLease(minEpoch: number): void;
  /** Give it up (clean shutdown, or this peer saw a higher epoch). */
  releaseLease(): void;
  /** Fires on every grant, renewal, hand-over and loss as the server reports them. */
  onLease(listener: (state: LeaseState) => void): () => void;
  /** Whether the signaling server is reachable right now. */
  readonly online: boolean;
}
