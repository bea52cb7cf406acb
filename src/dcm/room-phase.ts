// Where a distributed room is in its life: created, running (started and not stopped), stopped (left, or
// halted by a failed store write). `halted` keeps why it stopped itself, for status().stopped; what waits for
// the start (an emission before the outbox is loaded) runs when it starts.
export const RoomPhase = { Created: 'created', Running: 'running', Stopped: 'stopped' } as const;
export type RoomPhase = (typeof RoomPhase)[keyof typeof RoomPhase];

export class RoomLife {
  #phase: RoomPhase = RoomPhase.Created;
  #halted: string | null = null;
  readonly #beforeStart: (() => void)[] = [];

  get phase(): RoomPhase {
    return this.#phase;
  }

  get started(): boolean {
    return this.#phase !== RoomPhase.Created;
  }

  get running(): boolean {
    return this.#phase === RoomPhase.Running;
  }

  get stopped(): boolean {
    return this.#phase === RoomPhase.Stopped;
  }

  /** Why this replica stopped itself (fail-stop); null while it has not. */
  get halted(): string | null {
    return this.#halted;
  }

  /** Run `fn` once started: now if it has, else when `runQueued()` is called. */
  whenStarted(fn: () => void): void {
    if (this.started) fn();
    else this.#beforeStart.push(fn);
  }

  start(): void {
    if (this.#phase === RoomPhase.Created) this.#phase = RoomPhase.Running;
  }

  /** The room is listening, electing and ticking: what waited for it runs now. */
  runQueued(): void {
    for (const f of this.#beforeStart.splice(0)) f();
  }

  stop(): void {
    if (this.#phase === RoomPhase.Running) this.#phase = RoomPhase.Stopped;
  }

  /** Record the first reason to halt; false when the replica had halted already. */
  halt(reason: string): boolean {
    if (this.#halted !== null) return false;
    this.#halted = reason;
    return true;
  }
}
