// The app's example reactors (src/reactors) as the machine worker's registry.
import { exampleReactors } from '../src/reactors/index';
import type { ReactorRegistry } from './machine-host';

export const exampleRegistry: ReactorRegistry = {
  get: (name) => (Object.hasOwn(exampleReactors, name) ? (exampleReactors[name] ?? null) : null),
  autoload: Object.entries(exampleReactors)
    .filter(([, r]) => r.autoload)
    .map(([name]) => name),
  names: Object.keys(exampleReactors),
};
