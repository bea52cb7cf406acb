// The terms (epochs) this replica has promised and believes in: the promise written before it counts, the
// ceiling above which a ballot is refused as forged, and epochs reported by peers, passed to the elector
// (its next term is higher) and signalled to the roles (an older term of ours is over).
import { asEpoch, maxEpoch, type Epoch, type PeerId } from '../core/ids';
import { MAX_EPOCH, MAX_EPOCH_STEP, type ProtocolFaults } from './context';
import type { Elector } from './elector';
import type { Persistence } from './persistence';
import type { ReplicatedLog } from './replicated-log';
import type { RoomSignals } from './room-signals';

export interface TermsOptions {
  readonly elector: Elector;
  readonly persistence: Persistence;
  readonly rlog: ReplicatedLog;
  readonly faults: ProtocolFaults;
  readonly signals: RoomSignals;
}

export class Terms {
  readonly #o: TermsOptions;

  constructor(options: TermsOptions) {
    this.#o = options;
  }

  /** See RoomContext.observeEpoch. */
  observe(reported: Epoch): void {
    // Epochs reported by peers (acks, refusals) are believed only up to the bounded step the election could
    // have produced: a forged one near 2^53 would make the election ask for a term no peer accepts (and the
    // server record it for good). A larger real one is reached in steps, one term at a time.
    const epoch = asEpoch(Math.min(reported, this.ceiling(), MAX_EPOCH - 1));
    this.#o.elector.observeEpoch(epoch);
    this.#o.signals.emit('epoch', epoch);
  }

  /** See RoomContext.promise. */
  async promise(epoch: Epoch, by: string): Promise<boolean> {
    const { persistence, faults } = this.#o;
    const m = persistence.meta;
    if (epoch < m.promised || (epoch === m.promised && m.promisedOwner === by)) return epoch === m.promised;
    if (epoch === m.promised && !faults.trustServerEpochs) return false;
    if (faults.promiseBeforeDurable) {
      persistence.assumeDurable({ promised: epoch, promisedOwner: by });
      void persistence.write([], { promised: epoch, promisedOwner: by }).catch(() => undefined);
      return true;
    }
    await persistence.write([], { promised: epoch, promisedOwner: by });
    // (The store keeps the first owner of an epoch: mergeMeta. The mutation trusts the bare number.)
    return persistence.meta.promised === epoch && (persistence.meta.promisedOwner === by || faults.trustServerEpochs === true);
  }

  promised(): Epoch {
    return this.#o.persistence.meta.promised;
  }

  promisedOwner(): string {
    return this.#o.persistence.meta.promisedOwner ?? '';
  }

  elected(): PeerId | null {
    return this.#o.elector.current().leader;
  }

  /** The highest epoch a ballot may have here now. */
  ceiling(): Epoch {
    const { persistence, elector, rlog } = this.#o;
    return asEpoch(maxEpoch(persistence.meta.promised, elector.current().epoch, rlog.log.lastEpoch) + MAX_EPOCH_STEP);
  }

  /** The epoch the status shows: the highest promised here or known to the election. */
  known(): Epoch {
    return maxEpoch(this.#o.persistence.meta.promised, this.#o.elector.current().epoch);
  }
}
