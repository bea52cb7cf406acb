// What a recovering sequencer checks in a log it fetched before adopting it. The log comes from a peer that
// claimed (in its promise) the most advanced position, so it must reach exactly that position, and be shaped
// like a log an honest sequencer writes: epochs never decrease and stay below the term being recovered, each
// term opens with its term entry, and every entry's ids name what they say (an emitted copy's id is its
// source and seq, a produced copy's id its claim and position, a claim id its holder). These checks cannot
// tell a real entry from a well-formed invented one (docs/security.md: a member that lies in recovery); they
// stop a malformed or inconsistent log from being adopted, and the candidate fetches elsewhere instead.
import type { Entry, Snapshot } from './entries';
import { claimOwnedBy, emittedMoleculeId, producedMoleculeId } from './ids';

/** A log position as a promise reports it. */
export interface ClaimedPosition {
  readonly lastIndex: number;
  readonly lastEpoch: number;
}

export interface FetchedLog {
  readonly snapshot: Snapshot | null;
  readonly prevIndex: number;
  readonly prevEpoch: number;
  readonly entries: readonly Entry[];
}

/** Why an entry cannot have been written by an honest sequencer, or null. */
export function entryProblem(e: Entry): string | null {
  switch (e.type) {
    case 'term':
      return null;
    case 'config':
      return new Set(e.members).size === e.members.length ? null : 'a configuration that lists a member twice';
    case 'emit':
      return e.molecule.id === emittedMoleculeId(e.source, e.seq) ? null : `emit ${e.source}#${e.seq} carries copy ${e.molecule.id}`;
    case 'commit':
      if (!claimOwnedBy(e.claimId, e.holder)) return `commit of claim ${e.claimId} held by ${e.holder}`;
      return e.produced.every((p, i) => p.id === producedMoleculeId(e.claimId, i)) ? null : `commit ${e.claimId} produces copies under other ids`;
  }
}

/**
 * Why `log` (fetched for the term `epoch` from a peer that claimed `claimed`, asked from index `from`) must
 * not be adopted, or null when it may be.
 */
export function fetchedProblem(log: FetchedLog, claimed: ClaimedPosition, epoch: number, from: number): string | null {
  const base = log.snapshot ? log.snapshot.index : log.prevIndex;
  const baseEpoch = log.snapshot ? log.snapshot.epoch : log.prevEpoch;
  if (!log.snapshot && log.prevIndex !== from - 1) return `log after index ${log.prevIndex}, asked from ${from}`;
  const lastIndex = base + log.entries.length;
  const lastEpoch = log.entries.at(-1)?.epoch ?? baseEpoch;
  if (lastIndex !== claimed.lastIndex || lastEpoch !== claimed.lastEpoch) {
    return `log ends at ${lastIndex}@${lastEpoch}, the promise claimed ${claimed.lastIndex}@${claimed.lastEpoch}`;
  }
  if (lastEpoch >= epoch) return `log of epoch ${lastEpoch} while recovering epoch ${epoch}`;
  let current = baseEpoch;
  for (const [k, e] of log.entries.entries()) {
    if (e.epoch < current) return `epoch ${e.epoch} after ${current} at index ${base + 1 + k}`;
    if (e.epoch > current && e.type !== 'term') return `epoch ${e.epoch} starts at index ${base + 1 + k} without its term entry`;
    current = e.epoch;
    const problem = entryProblem(e);
    if (problem) return `${problem} at index ${base + 1 + k}`;
  }
  return null;
}
