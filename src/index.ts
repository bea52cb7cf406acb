// Public library API of Kinetic Mesh: `import { reactor, createMachine, createRoom, … } from 'kinetic-mesh'`.
// The WebRTC and PeerJS adapters are imported by path (kinetic-mesh/src/mesh/webrtc, …/peerjs) so apps
// that don't use them don't ship simple-peer or peerjs.
export * from './core/index';
export * from './mesh/index';
export type { Store, StoreOp } from './store/store';
export { StoreQuotaError, StoreBlockedError } from './store/store';
export type { Elector, Leadership } from './dcm/elector';
// The example reactors (todo, chat, counter, map/reduce, broadcast) and their registry.
export * from './reactors/index';
