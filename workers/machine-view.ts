// Build the worker's snapshot for the UI from the machine, the room protocol and the registry.
import type { Machine } from '../src/core/machine-api';
import type { ReactorId } from '../src/core/ids';
import type { DistributedRoom } from '../src/dcm/room';
import type { MachineSnapshot } from './contract/machine-snapshot';
import type { HistoryInfo, MoleculeGroupView, ReactorView } from './contract/room-view';
import type { ClaimsTracker } from './claims-tracker';
import type { ReactorRegistry } from './reactor-registry';

/** Values sent per molecule name: enough for the UI's virtualised lists, bounded so a big soup stays cheap. */
export const SAMPLE_LIMIT = 500;

export interface SnapshotSources {
  readonly room: string;
  readonly displayName: string;
  readonly machine: Machine;
  readonly dcm: DistributedRoom;
  readonly claims: ClaimsTracker;
  readonly registry: ReactorRegistry;
  readonly storageError: string | null;
  readonly problem: string | null;
  /** The room's history (room-history.ts): the UI shows its own notice for it. */
  readonly history: HistoryInfo;
}

export function buildSnapshot(s: SnapshotSources): MachineSnapshot {
  const { machine, dcm } = s;
  const status = dcm.status();
  const catalog = dcm.catalog();
  const reactors = new Map<string, ReactorView>();
  const view = (info: { id: ReactorId; name: string; version: string; molecules: readonly { name: string; kind: ReactorView['molecules'][number]['kind']; distributed: boolean }[] }, hostedBy: ReactorView['hostedBy']): ReactorView => ({
    id: info.id,
    name: info.name,
    version: info.version,
    loaded: machine.get(info.id) !== undefined,
    hostedBy,
    molecules: info.molecules.map((m) => ({ name: m.name, kind: m.kind, distributed: m.distributed })),
  });
  for (const c of catalog) reactors.set(c.info.id, view(c.info, [...c.hostedBy]));
  for (const r of machine.reactors()) if (!reactors.has(r.id)) reactors.set(r.id, view(r.definition.info, [machine.peer]));
  // Reactors of the registry nobody runs yet: listed so the UI can offer to load them.
  for (const name of s.registry.names) {
    const info = s.registry.get(name)?.definition.info;
    if (info && !reactors.has(info.id)) reactors.set(info.id, view(info, []));
  }

  const molecules: MoleculeGroupView[] = machine
    .molecules({ limit: SAMPLE_LIMIT })
    .filter((g) => g.kind !== 'blocking' || g.count > 0)
    .map((g) => ({ reactor: g.reactor, reactorName: g.reactorName, name: g.name, distributed: g.distributed, latched: g.latched, count: g.count, sample: [...g.values], pending: Math.min(g.pending, g.values.length) }));

  const hosts: Record<string, ReactorId[]> = {};
  for (const c of catalog) for (const p of c.hostedBy) (hosts[p] ??= []).push(c.info.id);

  return {
    room: s.room,
    self: machine.peer,
    displayName: s.displayName,
    role: status.role,
    sequencer: status.sequencer,
    members: status.members,
    epoch: status.epoch,
    reactors: [...reactors.values()],
    molecules,
    claims: s.claims.views(),
    outbox: status.outbox,
    hosts,
    storageError: s.storageError,
    problem: s.problem,
    history: s.history,
  };
}
