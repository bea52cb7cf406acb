// The compact wire form of the log entries that every reaction appends — emits and commits — inside an
// append's `entries`: a positional array instead of an object, so the key names are not sent (and parsed) once
// per entry per replica. About 55 % fewer characters per entry; the appends are ~3/4 of what a room sends.
//
//   emit    ["e", epoch, source, seq, id, reactor, name]          (+ value when the molecule has one)
//   commit  ["c", epoch, claimId, holder, reaction, consumed, produced, replies]
//
// Only a wire encoding: a receiver expands the array to the object form and checks that exactly as before
// (wire-check.ts), so what a replica accepts into its log is unchanged. Other entries (term, config), and an
// entry that does not have the usual shape, are sent as objects; a receiver takes either form.
import type { DistributedMolecule } from '../core/distributed-port';
import type { Entry } from './entries';

const EMIT = 'e';
const COMMIT = 'c';

/** JSON text of an entry on the wire: the compact form of an emit or commit, else the object form. */
export function entryText(e: Entry): string {
  if (e.type === 'emit') {
    const m = e.molecule as Partial<DistributedMolecule> | null | undefined;
    if (typeof m !== 'object' || m === null) return JSON.stringify(e);
    const row: unknown[] = [EMIT, e.epoch, e.source, e.seq, m.id, m.reactor, m.name];
    if (m.value !== undefined) row.push(m.value);
    return JSON.stringify(row);
  }
  if (e.type === 'commit') return JSON.stringify([COMMIT, e.epoch, e.claimId, e.holder, e.reaction, e.consumed, e.produced, e.replies]);
  return JSON.stringify(e);
}

/**
 * The object form of an entry received in compact form (unchecked: wire-check.ts checks it next), the entry
 * itself when it is not an array, or null for an array that is no compact entry.
 */
export function expandEntry(x: unknown): unknown {
  if (!Array.isArray(x)) return x;
  const a = x as unknown[];
  if (a[0] === EMIT && (a.length === 7 || a.length === 8)) {
    const molecule: Record<string, unknown> = { id: a[4], reactor: a[5], name: a[6] };
    if (a.length === 8) molecule['value'] = a[7];
    return { type: 'emit', epoch: a[1], source: a[2], seq: a[3], molecule };
  }
  if (a[0] === COMMIT && a.length === 8) return { type: 'commit', epoch: a[1], claimId: a[2], holder: a[3], reaction: a[4], consumed: a[5], produced: a[6], replies: a[7] };
  return null;
}
