// `kinetic-mesh/testing`: in-memory fakes and the Store acceptance suite, for testing apps and adapters —
// many peers in one process over a network that can delay, drop and partition, and any Store adapter
// checked against the cases every built-in store passes (`runStoreTests(name, setup, { describe, it })`).
export { createMemoryNetwork, type MemoryNetwork, type MemoryTransport, type NetworkFaults } from './mesh/memory';
export { createMemoryStore, createMemoryBacking } from './store/memory';
export { runStoreTests, runStoreCases, type StoreTestSetup, type StoreCase, type TestHarness } from './store/acceptance';
