// The mesh's public API in one place, for src/index.ts to re-export. The WebRTC and PeerJS adapters are not
// re-exported here: they pull in simple-peer and peerjs, so an app imports them by path
// (`src/mesh/webrtc`, `src/mesh/peerjs`) only when it uses them, and the rest stays small.
export { TransportKind, type Transport, type TransportEvents } from './transport';
export type { LeaseClient, LeaseState } from './lease';
export { createMeshRoom, MeshRoom, MeshRoomProblem, type MeshRoomEvents, type MeshRoomOptions, type SignalingStatus } from './room/mesh-room';
export { PeerState, PEER_STATES, DEFAULT_LIVENESS, type MemberView, type LivenessOptions } from './room/members';
export type { LinkContext, LinkFactory } from './room/links';
export type { IceServer, WrtcModule } from './ice-server';
export { broadcastChannelLink, createBroadcastChannelTransport, type BroadcastChannelOptions, type BroadcastChannelLike } from './broadcast-channel';
export { wsRelayLink, createWsRelayTransport, type WsRelayOptions } from './ws-relay';
export { leaveOnPageHide } from './page-lifecycle';
export { tabPeerId, renewTabPeerId, randomPeerId, type IdStorage } from './peer-id';
export { parseRoomLink, formatRoomLink, createRoomLink, randomRoomKey, type RoomLink } from '../protocol/room-link';
export { roomHash, createRoomCipher, WrongRoomKeyError, type RoomCipher } from './room/crypto';
export { SignalingClient, SignalingRejection, type SignalingClientOptions, type SignalingEvents, type WebSocketFactory, type WebSocketLike } from './signaling-client';
export { Rendezvous } from './rendezvous';
export { PROTOCOL_VERSION, ErrorCode, type ClientFrame, type ServerFrame } from '../protocol/signaling';
