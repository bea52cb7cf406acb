// The Web Locks elector: one holder at a time among the tabs of a browser, epochs strictly increasing across
// holders (a counter in the shared room database), a higher epoch taken when a newer term is observed.
import { describe, expect, it } from 'vitest';
import { asEpoch, asPeerId } from '../../src/core/ids';
import { until } from '../../src/mesh/testing/transport-suite';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory';
import { createWebLocksElector, storeEpochCounter } from '../../src/dcm/electors/web-locks';
import { createProcessLocks } from '../store/locks';

describe('Web Locks elector', () => {
  it('elects one tab, hands over on stop with a higher epoch, and bumps past observed epochs', async () => {
    const locks = createProcessLocks();
    const backing = createMemoryBacking();
    const make = (id: string) => createWebLocksElector({ self: asPeerId(id), locks, name: 'db/sequencer', counter: storeEpochCounter(createMemoryStore(backing)) });
    const a = make('a');
    const b = make('b');
    a.start();
    await until(() => a.current().self, 2000, 'a to lead');
    b.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(b.current().self).toBe(false);
    expect(a.current()).toEqual({ leader: 'a', epoch: 1, self: true });

    a.stop();
    await until(() => b.current().self, 2000, 'b to lead after a stopped');
    expect(a.current().self).toBe(false);
    expect(b.current().epoch).toBe(2);

    b.observeEpoch(asEpoch(7));
    await until(() => b.current().epoch === 8, 2000, 'a term above the observed one');
    expect(b.current().self).toBe(true);

    // A third tab much later still starts above every earlier term.
    b.stop();
    const c = make('c');
    c.start();
    await until(() => c.current().self, 2000, 'c to lead');
    expect(c.current().epoch).toBe(9);
    c.stop();
  });
});
