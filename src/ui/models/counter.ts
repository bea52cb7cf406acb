// The counter view's model. The value is the sum over every `count` copy this peer sees: usually one copy,
// briefly more while two seeds are being merged (the sum is right either way; see src/reactors/counter.ts).
import * as v from 'valibot';
import { remoteEmitters, type RemoteEmitters } from '../../../workers/contract/remote-emitters';
import type { MachineClient, RoomView } from '../../../workers/contract/room-view';
import { counter } from '../../reactors/counter';
import { countOf, valuesOf } from './soup';

export interface CounterState {
  /** null while no copy is visible (not seeded yet, or the only copy is claimed by a running reaction). */
  value: number | null;
  copies: number;
  /** Increments and decrements emitted but not yet applied, room-wide. */
  queued: number;
}

export function counterState(view: RoomView | null): CounterState {
  const counts = valuesOf(view, 'counter', 'count', v.number());
  return {
    value: counts.length ? counts.reduce((a, b) => a + b, 0) : null,
    copies: countOf(view, 'counter', 'count'),
    queued: countOf(view, 'counter', 'incr') + countOf(view, 'counter', 'decr'),
  };
}

export class CounterActions {
  readonly #emit: RemoteEmitters<typeof counter.exports>;
  constructor(client: MachineClient) {
    this.#emit = remoteEmitters(client, counter);
  }
  increment(): Promise<void> {
    return this.#emit.incr();
  }
  decrement(): Promise<void> {
    return this.#emit.decr();
  }
}
