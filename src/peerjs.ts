// `kinetic-mesh/peerjs`: links through a PeerJS server (peerjs, an optional peer dependency).
export { peerJsLink, createPeerJsTransport, peerJsId, type PeerJsServer, type PeerJsOptions } from './mesh/peerjs';
