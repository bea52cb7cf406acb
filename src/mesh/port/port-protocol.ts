// What crosses the MessagePort between the main thread (which owns the transports: RTCPeerConnection exists
// only there) and the machine worker (which owns the machine, the dcm protocol and the store). The worker
// sees a Transport and a LeaseClient; the main thread serves the real ones. Versioned and validated on
// receipt like any wire protocol: a malformed message is dropped and counted.
import * as v from 'valibot';

export const ROOM_PORT_VERSION = 1;

const V = v.literal(ROOM_PORT_VERSION);

/** Main thread → worker. */
const ToWorker = v.variant('type', [
  v.object({ v: V, type: v.literal('peers'), peers: v.array(v.string()) }),
  v.object({ v: V, type: v.literal('peer-candidate'), peerId: v.string() }),
  v.object({ v: V, type: v.literal('peer-connected'), peerId: v.string() }),
  v.object({ v: V, type: v.literal('peer-disconnected'), peerId: v.string(), reason: v.string() }),
  v.object({ v: V, type: v.literal('message'), from: v.string(), message: v.unknown() }),
  v.object({ v: V, type: v.literal('error'), message: v.string() }),
  v.object({ v: V, type: v.literal('done'), id: v.number(), error: v.nullable(v.string()) }),
  v.object({ v: V, type: v.literal('lease'), holder: v.nullable(v.string()), epoch: v.number(), ttlMs: v.number() }),
  v.object({ v: V, type: v.literal('online'), online: v.boolean() }),
]);
export type ToWorker = v.InferOutput<typeof ToWorker>;

/** Worker → main thread. */
const ToMain = v.variant('type', [
  v.object({ v: V, type: v.literal('connect'), id: v.number() }),
  v.object({ v: V, type: v.literal('disconnect'), id: v.number() }),
  v.object({ v: V, type: v.literal('send'), to: v.string(), message: v.unknown() }),
  v.object({ v: V, type: v.literal('lease-request'), minEpoch: v.number() }),
  v.object({ v: V, type: v.literal('lease-release') }),
  v.object({ v: V, type: v.literal('refused'), from: v.string() }),
]);
export type ToMain = v.InferOutput<typeof ToMain>;

export function parseToWorker(data: unknown): ToWorker | null {
  const r = v.safeParse(ToWorker, data);
  return r.success ? r.output : null;
}

export function parseToMain(data: unknown): ToMain | null {
  const r = v.safeParse(ToMain, data);
  return r.success ? r.output : null;
}

/** The part of MessagePort both halves use (a worker's `self` or a MessageChannel port). */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}
