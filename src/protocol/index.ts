// `kinetic-mesh/protocol`: the wire contract between peers and the signaling server — client and server
// frames, error codes, room links and names, relay framing. The library's signaling client and the
// `kinetic-signal` server both build on it (the server bundles it into its package at build time), and an
// alternative server or client can too.
export * from './signaling';
export * from './room-link';
export * from './room-name';
export { corkForTick } from './cork';
