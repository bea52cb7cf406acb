// createMachine: one peer's chemical machine. Everything hangs off the instance (no module state), so a
// test or a simulation can run many machines in one process, each with its own clock, RNG and room.
import { systemClock, systemRandom } from './clock';
import type { MachineEvents } from './events';
import { asPeerId, type ReactorId } from './ids';
import type { LoadOptions, LoadedReactor, Machine, MachineOptions, MoleculeSnapshot } from './machine-api';
import { inlineRunner } from './runner';
import type { ReactorDefinition } from './reactor';
import { Scheduler } from './scheduler';
import { createSinglePeerPort } from './single-peer-port';
import { Site } from './site';
import type { Slot } from './slot';

export type { LoadOptions, LoadedReactor, Machine, MachineOptions, MoleculeSnapshot, MachineStats, RestoredMolecule } from './machine-api';

/** Create a chemical machine for one peer. With no `distributed` port it is a room of one. */
export function createMachine(options: MachineOptions = {}): Machine {
  const peer = options.peerId ?? options.distributed?.self ?? asPeerId('local');
  const port = options.distributed ?? createSinglePeerPort(peer);
  const s = new Scheduler({
    peer,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    port,
    runner: options.runner ?? inlineRunner,
    sliceSteps: options.sliceSteps ?? 50_000,
    searchBudget: options.searchBudget ?? 1_000_000,
  });
  const distributed = s.distributed;
  const byId = new Map<ReactorId, Site>();

  const unload = (id: ReactorId): void => {
    const site = byId.get(id);
    if (!site) throw new Error(`reactor ${id} is not loaded in this machine`);
    byId.delete(id);
    if (site.token) s.sites.delete(site.token);
    site.close();
    distributed.unregister(site);
    port.unhost(id);
    s.fire('reactor-unloaded', { peer, reactor: id, reactorName: site.name });
    s.checkIdle();
  };

  const load = <E>(definition: ReactorDefinition<E>, opts: LoadOptions = {}): LoadedReactor<E> => {
    if (s.disposed) throw new Error('machine is disposed');
    if (byId.has(definition.id)) {
      throw new Error(`reactor "${definition.name}" (${definition.id}) is already loaded in this machine: a reactor runs as a single instance per peer`);
    }
    const site = new Site<E>(s, definition, peer, unload);
    const restore = opts.restore ?? [];
    for (const m of restore) {
      const h = definition.molecule(m.name);
      if (!h) throw new Error(`cannot restore "${m.name}": reactor "${definition.name}" has no such molecule`);
      if (h.kind === 'blocking' || h.distributed) throw new Error(`cannot restore "${m.name}": blocking and distributed molecules are not local state`);
    }
    byId.set(definition.id, site as unknown as Site);
    if (site.token) s.sites.set(site.token, site as unknown as Site);
    port.host(definition.info);
    s.fire('reactor-loaded', { peer, reactor: site.id, reactorName: site.name, version: site.version });
    const restored = new Set(restore.map((m) => m.name));
    for (const m of restore) s.enqueue(site.slots[(definition.molecule(m.name) as { index: number }).index] as Slot, m.value);
    for (const h of definition.molecules) if (h.static && !restored.has(h.name)) s.enqueue(site.slots[h.index] as Slot, h.staticValue);
    distributed.register(site as unknown as Site);
    return site;
  };

  const molecules = (o: { readonly limit?: number; readonly reactor?: ReactorId } = {}): MoleculeSnapshot[] => {
    const limit = o.limit ?? Infinity;
    const result: MoleculeSnapshot[] = [];
    for (const site of byId.values()) {
      if (o.reactor !== undefined && site.id !== o.reactor) continue;
      for (const slot of site.slots) {
        const h = slot.handle;
        let values: unknown[];
        let pending = 0;
        if (h.distributed) {
          const copies = [...(port.copies ? port.copies(site.id, h.name) : port.available(site.id, h.name))];
          const known = new Set(copies.map((dm) => dm.id));
          const own = port.pending ? [...port.pending(site.id, h.name)].filter((dm) => !known.has(dm.id)) : [];
          pending = own.length;
          values = [...copies, ...own].map((dm) => (h.kind === 'blocking' ? (dm.value as { arg?: unknown }).arg : dm.value));
        } else if (slot.latched) values = slot.hasLatest ? [slot.latest] : [];
        else values = Array.from({ length: slot.size }, (_, i) => slot.key(i));
        result.push({
          reactor: site.id,
          reactorName: site.name,
          name: h.name,
          kind: h.kind,
          distributed: h.distributed,
          static: h.static,
          latched: slot.latched,
          count: values.length,
          values: values.length > limit ? values.slice(values.length - limit) : values,
          pending,
        });
      }
    }
    return result;
  };

  return {
    peer,
    port,
    load,
    unload,
    get: (id) => byId.get(id),
    reactors: () => [...byId.values()],
    on<K extends keyof MachineEvents>(event: K, listener: (payload: MachineEvents[K]) => void): () => void {
      const off = s.events.on(event, listener);
      s.refreshWatch();
      return () => {
        off();
        s.refreshWatch();
      };
    },
    molecules,
    idle: () => s.idle(),
    flush: () => port.flush?.() ?? Promise.resolve(),
    stats: () => s.stats(),
    dispose() {
      if (s.disposed) return;
      for (const id of [...byId.keys()]) unload(id);
      s.dispose();
      s.checkIdle();
      s.events.clear();
      s.refreshWatch();
    },
  };
}
