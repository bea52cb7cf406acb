// The machine's introspection events plus the bookkeeping that keeps them cheap: `watch` says which
// events have listeners, so the hot path neither builds payloads nor reads the clock for nobody.
import { Emitter } from './emitter';
import type { MachineEvents } from './events';
import type { PeerId } from './ids';
import { logger } from './log';
import type { ReactionRuntime } from './slot';

const log = logger('kinetic:core:machine');

export interface Watch {
  emitted: boolean;
  consumed: boolean;
  started: boolean;
  finished: boolean;
  failed: boolean;
  /** Someone wants `ms` on finish/fail events. */
  timing: boolean;
}

export class SoupEvents {
  readonly events = new Emitter<MachineEvents>();
  readonly watch: Watch = { emitted: false, consumed: false, started: false, finished: false, failed: false, timing: false };

  constructor(readonly peer: PeerId) {}

  /** Deliver an event; a throwing listener is logged, never allowed to corrupt a run in progress. */
  fire<K extends keyof MachineEvents>(event: K, payload: MachineEvents[K]): void {
    try {
      this.events.emit(event, payload);
    } catch (e) {
      log(`listener of "${String(event)}" threw`, e);
    }
  }

  /** A background problem nobody called for directly (a body forgot to reply, a static was not re-emitted). */
  error(error: Error, r?: ReactionRuntime): void {
    log('error', error.message);
    this.fire('error', { peer: this.peer, error, ...(r ? { reactor: r.ctx.reactor, reaction: r.spec.name } : {}) });
  }

  refreshWatch(): void {
    const w = this.watch;
    const e = this.events;
    w.emitted = e.has('emitted');
    w.consumed = e.has('consumed');
    w.started = e.has('reaction-started');
    w.finished = e.has('reaction-finished');
    w.failed = e.has('reaction-failed');
    w.timing = w.finished || w.failed;
  }
}
