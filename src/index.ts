// Public library API of Kinetic Mesh: `import { reactor, createMachine, … } from 'kinetic-mesh'`.
export * from './core/index';
export type { Transport, TransportEvents } from './mesh/transport';
export { TransportKind } from './mesh/transport';
export type { LeaseClient, LeaseState } from './mesh/lease';
export type { Store, StoreOp } from './store/store';
export { StoreQuotaError, StoreBlockedError } from './store/store';
export type { Elector, Leadership } from './dcm/elector';
// The example reactors (todo, chat, counter, map/reduce, broadcast) and their registry.
export * from './reactors/index';
