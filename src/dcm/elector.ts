// The Elector port: who is the room's sequencer, in which epoch. Implementations: the signaling server's
// lease (across browsers), Web Locks (tabs of one browser, no server), and a majority of the last known
// membership when neither is reachable. The protocol only trusts `self: true` while the lease is valid.
import type { Epoch, PeerId } from '../core/ids';

export interface Leadership {
  readonly leader: PeerId | null;
  readonly epoch: Epoch;
  /** This peer holds authority right now (its own lease has not expired by its own clock). */
  readonly self: boolean;
}

export interface Elector {
  start(): void;
  stop(): void;
  /** Report an epoch seen elsewhere (a log entry, a peer's hello) so a new term is always higher. */
  observeEpoch(epoch: Epoch): void;
  current(): Leadership;
  onChange(listener: (l: Leadership) => void): () => void;
}
