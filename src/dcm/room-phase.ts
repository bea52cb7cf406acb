// Where a distributed room is in its life: created, running (started and not stopped), stopped (left, or
// halted by a failed store write). `halted` keeps why it stopped itself, for status().stopped.
export const RoomPhase = { Created: 'created', Running: 'running', Stopped: 'stopped' } as const;
export type RoomPhase = (typeof RoomPhase)[keyof typeof RoomPhase];

export class RoomLife {
  #phase: RoomPhase = RoomPhase.Created;
  #halted: string | null = null;

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

  start(): void {
    if (this.#phase === RoomPhase.Created) this.#phase = RoomPhase.Running;
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
