// The RoomContext of one room: what its roles share (see context.ts), built from the parts under it.
import type { Clock, Random } from '../core/clock';
import type { Emitter } from '../core/emitter';
import type { PeerId } from '../core/ids';
import type { Logger } from '../core/log';
import type { Transport } from '../mesh/transport';
import type { ProtocolFaults, RoomContext, RoomTimings } from './context';
import type { Histories } from './genesis';
import type { Message } from './messages';
import type { Outgoing } from './outgoing';
import type { ReplicatedLog } from './replicated-log';
import type { RoomSignals } from './room-signals';
import type { DistributedRoomEvents } from './room-status';
import type { Terms } from './terms';

/** Messages refused because they broke the protocol (forged ballot, borrowed source), for the status. */
export class Refusals {
  #count = 0;

  get count(): number {
    return this.#count;
  }

  add(): void {
    this.#count++;
  }
}

export interface RoomContextParts {
  readonly self: PeerId;
  readonly clock: Clock;
  readonly random: Random;
  readonly timings: RoomTimings;
  readonly faults: ProtocolFaults;
  readonly log: Logger;
  readonly owner: string;
  readonly rlog: ReplicatedLog;
  readonly transport: Transport;
  readonly outgoing: Outgoing;
  readonly defer: (fn: () => void) => void;
  readonly terms: Terms;
  readonly histories: Histories;
  readonly refusals: Refusals;
  readonly signals: RoomSignals;
  readonly events: Emitter<DistributedRoomEvents>;
}

export function roomContext(p: RoomContextParts): RoomContext {
  const { self, terms } = p;
  /** The last message to this peer itself whose microtask has not run yet (lastQueued). */
  let selfLast: Message | undefined;
  return {
    self,
    clock: p.clock,
    random: p.random,
    rlog: p.rlog,
    timings: p.timings,
    faults: p.faults,
    log: p.log,
    owner: p.owner,
    histories: p.histories,
    send(to, message) {
      if (to === self) {
        selfLast = message;
        queueMicrotask(() => {
          if (selfLast === message) selfLast = undefined;
          p.signals.emit('local', message);
        });
        return;
      }
      p.outgoing.send(to, message);
    },
    hurry(to) {
      if (to !== self) p.outgoing.hurry(to);
    },
    lastQueued: (to) => (to === self ? selfLast : p.outgoing.last(to)),
    replace: (to, queued, message) => to !== self && p.outgoing.replace(to, queued, message),
    peers: () => p.transport.peers().filter((peer) => !p.histories.isForeign(peer)),
    defer: p.defer,
    beforeFlush: (fn) => p.outgoing.beforeFlush(fn),
    observeEpoch: (reported) => terms.observe(reported),
    promise: (epoch, by) => terms.promise(epoch, by),
    promised: () => terms.promised(),
    promisedOwner: () => terms.promisedOwner(),
    elected: () => terms.elected(),
    ceiling: () => terms.ceiling(),
    refused(from, why) {
      p.refusals.add();
      p.log('refused a message from', from, why);
    },
    record: (event) => p.events.emit('history', event),
  };
}
