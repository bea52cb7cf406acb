// The Activity panel's filter: free text over reactor, reaction and peer name, plus an outcome.
import type { ActivityItem } from '../../../workers/contract/room-view';

export type OutcomeFilter = 'all' | ActivityItem['outcome'];

export function filterActivity(
  items: readonly ActivityItem[],
  text: string,
  outcome: OutcomeFilter,
  nameOf: (peer: string) => string,
): ActivityItem[] {
  const needle = text.trim().toLowerCase();
  return items.filter(
    (i) =>
      (outcome === 'all' || i.outcome === outcome) &&
      (!needle || `${i.reactor} ${i.reaction} ${nameOf(i.peer)}`.toLowerCase().includes(needle)),
  );
}

/** Reactions per second over the newest `windowMs` of items (items are newest first). */
export function reactionRate(items: readonly ActivityItem[], now: number, windowMs = 5000): number {
  let n = 0;
  for (const i of items) {
    if (now - i.at > windowMs) break;
    n++;
  }
  return n / (windowMs / 1000);
}
