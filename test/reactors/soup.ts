// Test helper: the values of one molecule in a machine's soup.
import type { Machine } from '../../src/core/machine-api';

export function valuesIn(machine: Machine, reactorName: string, molecule: string): unknown[] {
  const group = machine.molecules({ limit: 100_000 }).find((g) => g.reactorName === reactorName && g.name === molecule);
  return group ? [...group.values] : [];
}

export const countIn = (machine: Machine, reactorName: string, molecule: string): number =>
  machine.molecules({ limit: 0 }).find((g) => g.reactorName === reactorName && g.name === molecule)?.count ?? 0;
