// What crosses the MessagePort between the main thread (which owns the transports: RTCPeerConnection exists
// only there) and the machine worker (which owns the machine, the dcm protocol and the store). The worker
// sees a Transport and a LeaseClient; the main thread serves the real ones. Versioned and validated on
// receipt like any wire protocol: a malformed message is dropped and counted.
// Checked by hand, not with a schema library: every application message of the room crosses this port
// twice (in and out), so the check must cost next to nothing (as the room's own frames: mesh/room/wire.ts).

export const ROOM_PORT_VERSION = 1;

/** Main thread → worker. */
export type ToWorker =
  | { readonly v: 1; readonly type: 'peers'; readonly peers: string[] }
  | { readonly v: 1; readonly type: 'peer-candidate'; readonly peerId: string }
  | { readonly v: 1; readonly type: 'peer-connected'; readonly peerId: string }
  | { readonly v: 1; readonly type: 'peer-disconnected'; readonly peerId: string; readonly reason: string }
  | { readonly v: 1; readonly type: 'message'; readonly from: string; readonly message: unknown }
  | { readonly v: 1; readonly type: 'error'; readonly message: string }
  | { readonly v: 1; readonly type: 'done'; readonly id: number; readonly error: string | null }
  | { readonly v: 1; readonly type: 'lease'; readonly holder: string | null; readonly epoch: number; readonly ttlMs: number }
  | { readonly v: 1; readonly type: 'online'; readonly online: boolean }
  /** The signaling server's record of the room (room-record.ts): on every join and history change. */
  | { readonly v: 1; readonly type: 'record'; readonly seen: boolean; readonly genesis: string | null };

/** Worker → main thread. */
export type ToMain =
  | { readonly v: 1; readonly type: 'connect'; readonly id: number }
  | { readonly v: 1; readonly type: 'disconnect'; readonly id: number }
  | { readonly v: 1; readonly type: 'send'; readonly to: string; readonly message: unknown }
  | { readonly v: 1; readonly type: 'lease-request'; readonly minEpoch: number }
  | { readonly v: 1; readonly type: 'lease-release' }
  | { readonly v: 1; readonly type: 'refused'; readonly from: string }
  /** The history this peer holds, for the server's room record (RoomRecordClient.reportHistory). */
  | { readonly v: 1; readonly type: 'history'; readonly genesis: string; readonly started: boolean };

type Fields = Record<string, unknown>;
const str = (x: unknown): boolean => typeof x === 'string';
const num = (x: unknown): boolean => typeof x === 'number' && !Number.isNaN(x);

/** The message as a record of this protocol version, or null. */
function record(data: unknown): Fields | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const f = data as Fields;
  return f['v'] === ROOM_PORT_VERSION ? f : null;
}

function validToWorker(f: Fields): boolean {
  switch (f['type']) {
    case 'message':
      return str(f['from']) && 'message' in f;
    case 'peers':
      return Array.isArray(f['peers']) && (f['peers'] as unknown[]).every(str);
    case 'peer-candidate':
    case 'peer-connected':
      return str(f['peerId']);
    case 'peer-disconnected':
      return str(f['peerId']) && str(f['reason']);
    case 'error':
      return str(f['message']);
    case 'done':
      return num(f['id']) && (f['error'] === null || str(f['error']));
    case 'lease':
      return (f['holder'] === null || str(f['holder'])) && num(f['epoch']) && num(f['ttlMs']);
    case 'online':
      return typeof f['online'] === 'boolean';
    case 'record':
      return typeof f['seen'] === 'boolean' && (f['genesis'] === null || str(f['genesis']));
    default:
      return false;
  }
}

function validToMain(f: Fields): boolean {
  switch (f['type']) {
    case 'send':
      return str(f['to']) && 'message' in f;
    case 'connect':
    case 'disconnect':
      return num(f['id']);
    case 'lease-request':
      return num(f['minEpoch']);
    case 'lease-release':
      return true;
    case 'refused':
      return str(f['from']);
    case 'history':
      return str(f['genesis']) && typeof f['started'] === 'boolean';
    default:
      return false;
  }
}

export function parseToWorker(data: unknown): ToWorker | null {
  const f = record(data);
  return f && validToWorker(f) ? (f as ToWorker) : null;
}

export function parseToMain(data: unknown): ToMain | null {
  const f = record(data);
  return f && validToMain(f) ? (f as ToMain) : null;
}

/**
 * A poster that sends the messages of one turn together: one `{ v, type: 'batch', items }` envelope (a lone
 * message goes as itself). Every message crossed the port as its own postMessage before: a structured clone
 * and a task on the other side each, a fifth of the sequencing tab's worker time and most of its main
 * thread's in bench/app, where one flush sends an append to every replica and a burst of claims and commits
 * answers together. A batch that cannot be cloned is sent again message by message, so one bad message
 * fails alone (reported to `onError`) and the others still cross.
 */
export function batchingPoster(port: PortLike, onError: (e: unknown) => void): (m: object) => void {
  let queue: object[] = [];
  const postEach = (items: readonly object[]): void => {
    for (const m of items) {
      try {
        port.postMessage(m);
      } catch (e) {
        onError(e);
      }
    }
  };
  const flush = (): void => {
    const items = queue;
    queue = [];
    if (items.length === 1) return postEach(items);
    try {
      port.postMessage({ v: ROOM_PORT_VERSION, type: 'batch', items });
    } catch {
      postEach(items);
    }
  };
  return (m) => {
    if (queue.push(m) === 1) queueMicrotask(flush);
  };
}

/** The messages one port message carries: a batch's items (each still to be validated), or itself. */
export function unbatch(data: unknown): readonly unknown[] {
  const f = record(data);
  return f?.['type'] === 'batch' && Array.isArray(f['items']) ? (f['items'] as unknown[]) : [data];
}

/** The part of MessagePort both halves use (a worker's `self` or a MessageChannel port). */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}
