// The in-memory network (src/mesh/memory.ts, owned by the distributed-molecules work) through the same
// acceptance suite as the real transports, on the system clock with a reliable network.
import { seededRandom, systemClock } from '../../src/core/clock';
import { asPeerId } from '../../src/core/ids';
import { createMemoryNetwork } from '../../src/mesh/memory';
import { runTransportTests } from '../../src/mesh/testing/transport-suite';

runTransportTests('memory (reliable)', () => {
  const network = createMemoryNetwork({ clock: systemClock, random: seededRandom(42) });
  return Promise.resolve({
    create: (n) => Promise.resolve(Array.from({ length: n }, (_, i) => network.transport(asPeerId(`m${i}`)))),
    cleanup: () => Promise.resolve(),
  });
});
