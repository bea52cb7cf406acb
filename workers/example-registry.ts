// The app's example reactors (src/reactors) as the machine worker's registry. Imported dynamically, and its
// whole namespace used, so the bundler keeps the reactor module as a chunk that exports every definition:
// its URL is each reactor's `module`, which pool workers import to find the definition by id.
import type { ReactorRegistry } from './reactor-registry';

export async function loadExampleRegistry(): Promise<ReactorRegistry> {
  const mod = await import('../src/reactors/index');
  const reactors = mod.exampleReactors;
  return {
    get: (name) => (Object.hasOwn(reactors, name) ? (reactors[name] ?? null) : null),
    autoload: Object.entries(reactors)
      .filter(([, r]) => r.autoload)
      .map(([name]) => name),
    names: Object.keys(reactors),
  };
}
