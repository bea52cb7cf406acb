// This peer's part in leading the room: none (a replica only), recovering a term it was elected for, or
// serving that term as the sequencer. It moves between them when the elector changes its mind, when a newer
// epoch shows up, and when a recovery is complete; the room asks it where requests go.
import { maxEpoch, type Epoch, type PeerId } from '../core/ids';
import type { RoomContext } from './context';
import type { Elector } from './elector';
import type { Persistence } from './persistence';
import { Recovery } from './recovery';
import { Sequencer } from './sequencer';

export type RoleName = 'sequencer' | 'recovering' | 'replica';

export interface RolesOptions {
  readonly ctx: RoomContext;
  readonly elector: Elector;
  readonly persistence: Persistence;
  /** Peers that said goodbye (a new sequencer drops them from the configuration). */
  readonly left: ReadonlySet<PeerId>;
  /** A recovery completed: this peer serves its term now. */
  readonly onServing: () => void;
}

export class Roles {
  readonly #o: RolesOptions;
  #sequencer: Sequencer | null = null;
  #recovery: Recovery | null = null;
  /** Our lease ran out by our own clock while the server still named us: the term waits, see follow(). */
  #paused = false;

  constructor(options: RolesOptions) {
    this.#o = options;
  }

  /** The sequencer taking requests now (null while its term is paused). */
  get sequencer(): Sequencer | null {
    return this.#paused ? null : this.#sequencer;
  }

  /** The sequencer of our term, paused or not: it still counts acks and acknowledges what commits. */
  get term(): Sequencer | null {
    return this.#sequencer;
  }

  get recovery(): Recovery | null {
    return this.#recovery;
  }

  get role(): RoleName {
    return this.#sequencer ? 'sequencer' : this.#recovery ? 'recovering' : 'replica';
  }

  /** The term this peer serves or recovers, if any. */
  get epoch(): Epoch | undefined {
    return this.#sequencer?.epoch ?? this.#recovery?.epoch;
  }

  stepDown(): void {
    const epoch = this.epoch;
    if (epoch === undefined) return;
    this.#sequencer?.stop();
    this.#sequencer = null;
    this.#recovery = null;
    this.#paused = false;
    this.#o.ctx.record({ type: 'stepped-down', epoch });
    this.#o.ctx.log('stepped down from epoch', epoch);
  }

  /** Someone leads a newer term than ours: ours is over. */
  newerEpochSeen(epoch: Epoch): void {
    const mine = this.epoch;
    if (mine !== undefined && epoch > mine) this.stepDown();
  }

  /** The elector's view changed: recover a new term of ours, or step down from one we lost. */
  follow(): void {
    const { elector, persistence, ctx } = this.#o;
    const l = elector.current();
    if (!l.self) {
      // Our lease ran out by our own clock (renewals waited behind a stall longer than its margin) while the
      // server still names us: pause the term rather than end it. A renewal at the same epoch resumes it —
      // nobody held the lease in between, the server gives a new holder a newer epoch — instead of a new
      // term that fences every commit in flight. Requests wait meanwhile (they are resent); acks still count.
      if (this.#sequencer && l.leader === ctx.self && l.epoch === this.#sequencer.epoch) {
        if (!this.#paused) ctx.record({ type: 'paused', epoch: l.epoch });
        this.#paused = true;
        return;
      }
      return this.stepDown();
    }
    if (this.epoch === l.epoch) {
      this.#paused = false;
      return;
    }
    this.stepDown();
    const promised = maxEpoch(persistence.meta.promised, persistence.queued.promised);
    if (l.epoch <= promised) {
      // We already promised this term or a newer one (perhaps still being written): ask for a higher one.
      elector.observeEpoch(promised);
      return;
    }
    this.#recovery = new Recovery(ctx, l.epoch, l.epoch === 1);
    this.#tickRecovery(this.#recovery);
  }

  /** Periodic work: advance a recovery (and serve once it is complete), then the sequencer's own tick. */
  tick(now: number): void {
    const recovery = this.#recovery;
    if (recovery) {
      this.#tickRecovery(recovery);
      if (recovery.ready) {
        this.#sequencer = new Sequencer(this.#o.ctx, recovery.epoch, this.#o.left);
        this.#recovery = null;
        this.#sequencer.start();
        this.#o.ctx.log('serving epoch', this.#sequencer.epoch);
        this.#o.onServing();
      }
    }
    if (!this.#paused) this.#sequencer?.tick(now);
  }

  /** A recovery step; a failed promise write has already stopped the replica (halt), nothing to throw. */
  #tickRecovery(r: Recovery): void {
    r.tick().catch((e: unknown) => this.#o.ctx.log('recovery step failed', e));
  }
}
