// Import first (before peerjs): PeerJS probes for WebRTC when its module loads. Only for test files that run
// in a process of their own (vitest --pool=forks), since the wrtc addon cannot live in a worker thread.
import { isMainThread } from 'node:worker_threads';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';

if (isMainThread) {
  Object.assign(globalThis, { RTCPeerConnection: wrtc.RTCPeerConnection, RTCSessionDescription: wrtc.RTCSessionDescription, RTCIceCandidate: wrtc.RTCIceCandidate, WebSocket });
}
