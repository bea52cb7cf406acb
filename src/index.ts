// Public library API of Kinetic Mesh.
export * from './core/ids';
export * from './core/clock';
export type { DistributedPort, ReactorInfo, MoleculeInfo, DistributedMolecule, ClaimGrant, DistributedOutput } from './core/distributed-port';
export type { Transport, TransportEvents } from './mesh/transport';
export { TransportKind } from './mesh/transport';
export type { Store, StoreOp } from './store/store';
export { StoreQuotaError, StoreBlockedError } from './store/store';
