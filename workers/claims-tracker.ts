// The claims this peer holds right now, for the UI: a distributed reaction run holds a claim from its start
// to its finish or failure. Built from machine events, so it needs nothing from the protocol's internals.
import type { Clock } from '../src/core/clock';
import type { PeerId } from '../src/core/ids';
import type { Machine } from '../src/core/machine-api';
import type { ClaimView } from './contract/room-view';

export class ClaimsTracker {
  readonly #held = new Map<number, { reactor: ClaimView['reactor']; reaction: string; molecules: number; since: number }>();
  readonly #clock: Clock;
  readonly #self: PeerId;

  constructor(machine: Machine, clock: Clock) {
    this.#clock = clock;
    this.#self = machine.peer;
    machine.on('reaction-started', (e) => {
      const reaction = machine.get(e.reactor)?.definition.reaction(e.reaction);
      if (!reaction?.distributed) return;
      this.#held.set(e.runId, { reactor: e.reactor, reaction: e.reaction, molecules: e.inputs.length, since: clock.now() });
    });
    machine.on('reaction-finished', (e) => this.#held.delete(e.runId));
    machine.on('reaction-failed', (e) => this.#held.delete(e.runId));
    machine.on('reactor-unloaded', (e) => {
      for (const [id, c] of this.#held) if (c.reactor === e.reactor) this.#held.delete(id);
    });
  }

  views(): ClaimView[] {
    const now = this.#clock.now();
    return [...this.#held].map(([runId, c]) => ({
      claimId: `${this.#self}:${runId}`,
      reactor: c.reactor,
      reaction: c.reaction,
      holder: this.#self,
      molecules: c.molecules,
      ageMs: Math.round(now - c.since),
    }));
  }
}
