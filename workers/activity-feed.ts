// The activity feed: reactions this peer ran (machine events) and commits other peers made that this
// replica applied (room events), batched so a busy machine sends one message per interval, not one per run.
import type { Clock, TimerHandle } from '../src/core/clock';
import { asReactorId, type PeerId } from '../src/core/ids';
import type { Machine } from '../src/core/machine-api';
import type { DistributedRoom } from '../src/dcm/room';
import type { ActivityItem } from './contract/room-view';

/** Items kept per batch at most: beyond that the feed says how many it skipped rather than flooding. */
const MAX_BATCH = 200;

export class ActivityFeed {
  readonly #clock: Clock;
  readonly #wallNow: () => number;
  readonly #intervalMs: number;
  readonly #send: (items: ActivityItem[]) => void;
  #batch: ActivityItem[] = [];
  #timer: TimerHandle | null = null;
  #seq = 0;

  constructor(options: { clock: Clock; wallNow: () => number; intervalMs: number; send: (items: ActivityItem[]) => void }) {
    this.#clock = options.clock;
    this.#wallNow = options.wallNow;
    this.#intervalMs = options.intervalMs;
    this.#send = options.send;
  }

  /** Follow a machine (and its room) until the returned function is called. */
  follow(machine: Machine, room: DistributedRoom | null): () => void {
    const offs = [
      machine.on('reaction-finished', (e) =>
        this.#push({ peer: e.peer, reactor: e.reactorName, reaction: e.reaction, ms: e.ms, outcome: e.outcome === 'fenced' ? 'fenced' : 'ok' }),
      ),
      machine.on('reaction-failed', (e) =>
        this.#push({ peer: e.peer, reactor: e.reactorName, reaction: e.reaction, ms: e.ms, outcome: e.retried ? 'retried' : 'failed', error: e.error.message }),
      ),
    ];
    if (room) {
      const nameOf = (id: string): string => room.catalog().find((c) => c.info.id === id)?.info.name ?? machine.get(asReactorId(id))?.name ?? '?';
      offs.push(
        room.on('applied', (a) => {
          const e = a.entry;
          if (e.type !== 'commit' || e.holder === machine.peer || !a.effective) return;
          const reactor = e.produced[0]?.reactor;
          this.#push({ peer: e.holder as PeerId, reactor: reactor ? nameOf(reactor) : '', reaction: e.reaction, ms: 0, outcome: 'ok' });
        }),
      );
    }
    return () => offs.forEach((off) => off());
  }

  #push(item: Omit<ActivityItem, 'seq' | 'at'>): void {
    if (this.#batch.length >= MAX_BATCH) this.#batch.shift();
    this.#batch.push({ ...item, seq: ++this.#seq, at: this.#wallNow() });
    this.#timer ??= this.#clock.setTimeout(() => this.flush(), this.#intervalMs);
  }

  flush(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    if (!this.#batch.length) return;
    const items = this.#batch;
    this.#batch = [];
    this.#send(items);
  }
}
