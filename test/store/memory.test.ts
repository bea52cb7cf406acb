import { describe, it } from 'vitest';
import { runStoreTests } from '../../src/store/acceptance';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory';
import { scopeStore } from '../../src/store/scoped';

runStoreTests(
  'memory',
  () => {
    const backing = createMemoryBacking();
    return { open: async () => createMemoryStore(backing) };
  },
  { describe, it },
);

// A scoped view must behave like a whole store too (the dcm layer gets one).
runStoreTests(
  'scoped view over memory',
  () => {
    const backing = createMemoryBacking();
    return {
      open: async () => {
        const base = createMemoryStore(backing);
        // Noise outside the scope must never leak into the view's ranges.
        await base.save('other/x', 1);
        const view = scopeStore(base, 'peers/p1/');
        return { ...view, close: () => base.close() };
      },
    };
  },
  { describe, it },
);
