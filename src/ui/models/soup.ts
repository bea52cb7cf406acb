// Reading example state out of a RoomView: the values of one molecule, validated. Molecule values come
// from other peers, so a view never trusts their shape — a malformed copy is skipped, not rendered.
import * as v from 'valibot';
import type { MoleculeGroupView, RoomView } from '../../../workers/contract/room-view';

/** The group for `reactor/molecule`, or undefined when this peer sees none. */
export function group(view: RoomView | null, reactor: string, molecule: string): MoleculeGroupView | undefined {
  return view?.molecules.find((g) => g.reactorName === reactor && g.name === molecule);
}

/** How many copies of `reactor/molecule` the snapshot counts (exact, not limited to the sample). */
export const countOf = (view: RoomView | null, reactor: string, molecule: string): number =>
  group(view, reactor, molecule)?.count ?? 0;

/** The sampled values of `reactor/molecule` that match `schema`. */
export function valuesOf<S extends v.GenericSchema>(
  view: RoomView | null,
  reactor: string,
  molecule: string,
  schema: S,
): v.InferOutput<S>[] {
  return matching(group(view, reactor, molecule)?.sample ?? [], schema);
}

/** The values that match `schema`; a malformed copy is skipped. */
function matching<S extends v.GenericSchema>(values: readonly unknown[], schema: S): v.InferOutput<S>[] {
  const out: v.InferOutput<S>[] = [];
  for (const value of values) {
    const parsed = v.safeParse(schema, value);
    if (parsed.success) out.push(parsed.output);
  }
  return out;
}

/** The values of `valuesOf` that are this peer's own emissions not in the room yet (sent once it is reachable). */
export function pendingValuesOf<S extends v.GenericSchema>(
  view: RoomView | null,
  reactor: string,
  molecule: string,
  schema: S,
): v.InferOutput<S>[] {
  const g = group(view, reactor, molecule);
  return matching(g && g.pending > 0 ? g.sample.slice(-g.pending) : [], schema);
}

/** Whether this peer hosts the reactor (its view can act on it). */
export const hosts = (view: RoomView | null, reactor: string): boolean =>
  view?.reactors.some((r) => r.name === reactor && r.loaded) ?? false;

/** Display name of a peer id as membership knows it, else a short form of the id. */
export function peerName(view: RoomView | null, peer: string): string {
  const p = view?.peers.find((x) => x.id === peer);
  if (p) return p.isSelf ? `${p.name} (you)` : p.name;
  return `peer ${peer.slice(0, 6)}`;
}
