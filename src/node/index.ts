// `kinetic-mesh/node`: what runs only in Node — the one-call join with a disk store, the disk store itself,
// and the lower-level headless peer.
export { joinRoom, nodeWebSocket, type NodeJoinOptions } from './join';
export { openDiskStore, createDiskDatabase, type DiskDatabase } from './disk-store';
export { startNodePeer, type NodePeer, type NodePeerOptions } from './peer';
export type { JoinedRoom, JoinOptions, ReactorSet, EmittersOf, RoomTarget } from '../join/types';
