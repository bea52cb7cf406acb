// `kinetic-mesh/webrtc`: direct WebRTC data channels between peers (simple-peer, an optional peer dependency).
// Kept out of the main entry so an app without WebRTC links does not ship simple-peer.
export { webRtcLink, createWebRtcTransport, type WebRtcOptions, type WebRtcTransport } from './mesh/webrtc';
