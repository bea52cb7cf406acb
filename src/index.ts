import { openIdbStore as openIdb, type IdbStore, type IdbStoreOptions } from './store/idb';

// Public library API of Kinetic Mesh: `import { reactor, createMachine, createMeshRoom, … } from 'kinetic-mesh'`.
// The WebRTC and PeerJS adapters are imported by path (kinetic-mesh/src/mesh/webrtc, …/peerjs) so apps
// that don't use them don't ship simple-peer or peerjs.
export * from './core/index';
export * from './mesh/index';
export type { Store, StoreOp } from './store/store';
export { StoreQuotaError, StoreBlockedError } from './store/store';
// Distributed molecules: the room port and the electors (the in-memory network is in kinetic-mesh/testing).
export type { Elector, Leadership } from './dcm/elector';
export { createDistributedRoom, type DistributedRoom, type DistributedRoomOptions } from './dcm/room';
export type { RoomStatusView, DistributedRoomEvents } from './dcm/room-status';
export { createLeaseElector, type LeaseElectorOptions } from './dcm/electors/lease';
export { createWebLocksElector, storeEpochCounter, type LockManagerLike, type EpochCounter } from './dcm/electors/web-locks';
export { defaultTimings, type RoomTimings } from './dcm/context';
export type { ClaimMode } from './dcm/requester';
// Stores: memory and IndexedDB adapters, and the acceptance suite every adapter passes.
export { createMemoryStore, createMemoryBacking } from './store/memory';
export type { IdbStore, IdbStoreOptions, IndexedDbEnv } from './store/idb';
/** Open (creating or upgrading) a room's IndexedDB database (`name`: normally `await databaseNameFor(room)`). */
export const openIdbStore: (options: IdbStoreOptions) => Promise<IdbStore> = openIdb;
// The one-call join (browser; `kinetic-mesh/node` has the Node one, `kinetic-mesh/webrtc` one with WebRTC links).
export { joinRoom } from './join/browser';
export type { JoinedRoom, JoinOptions, ReactorSet, EmittersOf, RoomTarget } from './join/types';
export { databaseNameFor } from './store/room-database';
