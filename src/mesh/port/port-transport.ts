// Worker half of the room port: a Transport (and a LeaseClient) that forwards to the main thread, so the
// dcm protocol in the machine worker talks to what looks like an ordinary transport. `send` answers from
// the worker's mirror of the link set; a send racing a link going down is lost, exactly as on a real link.
import { Emitter } from '../../core/emitter';
import { asEpoch, asPeerId, type PeerId } from '../../core/ids';
import { logger } from '../../core/log';
import type { LeaseClient, LeaseState } from '../lease';
import type { RoomRecordClient, RoomRecordView } from '../room-record';
import { TransportKind, type Transport, type TransportEvents } from '../transport';
import { batchingPoster, parseToWorker, ROOM_PORT_VERSION, unbatch, type PortLike, type ToMain } from './port-protocol';

const log = logger('kinetic:mesh:port-transport');

export interface PortTransport extends Transport {
  /** The signaling lease as the main thread reports it (null until the first report). */
  readonly lease: LeaseClient;
  /** The signaling server's room record as the main thread reports it (null record until the first report). */
  readonly record: RoomRecordClient;
  /** Messages from the main thread that failed validation (dropped). */
  readonly invalid: number;
  /** Detach from the port without telling the main thread (the worker is going away). */
  close(): void;
}

export function createPortTransport(port: PortLike, self: PeerId, kind: Transport['kind'] = TransportKind.Mesh): PortTransport {
  const events = new Emitter<TransportEvents & { lease: LeaseState; record: RoomRecordView }>();
  let roomRecord: RoomRecordView | null = null;
  const linked = new Set<PeerId>();
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let invalid = 0;
  let online = false;
  let ready: Promise<void> | null = null;
  // whenReady() before connect() waits for the first connect to complete (it does not start one).
  let markReady: () => void = () => undefined;
  let firstReady = new Promise<void>((resolve) => (markReady = resolve));
  const postBatched = batchingPoster(port, (e) => log('a message to the main thread could not be sent (dropped)', e));
  const post = (m: DistributiveOmit<ToMain, 'v'>): void => postBatched({ v: ROOM_PORT_VERSION, ...m });

  const request = (type: 'connect' | 'disconnect'): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      post({ type, id });
    });

  const onMessage = (event: MessageEvent): void => {
    for (const item of unbatch(event.data)) receive(item);
  };
  const receive = (data: unknown): void => {
    const msg = parseToWorker(data);
    if (!msg) {
      invalid++;
      log('invalid message from the main thread (dropped)');
      return;
    }
    switch (msg.type) {
      case 'peers': {
        const now = new Set(msg.peers.map(asPeerId));
        for (const p of [...linked]) if (!now.has(p)) linked.delete(p);
        for (const p of now) linked.add(p);
        return;
      }
      case 'peer-candidate':
        return events.emit('peer-candidate', { peerId: asPeerId(msg.peerId) });
      case 'peer-connected':
        linked.add(asPeerId(msg.peerId));
        return events.emit('peer-connected', { peerId: asPeerId(msg.peerId) });
      case 'peer-disconnected':
        linked.delete(asPeerId(msg.peerId));
        return events.emit('peer-disconnected', { peerId: asPeerId(msg.peerId), reason: msg.reason });
      case 'message':
        return events.emit('message', { from: asPeerId(msg.from), message: msg.message });
      case 'error':
        return events.emit('error', new Error(msg.message));
      case 'done': {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.error === null) w?.resolve();
        else w?.reject(new Error(msg.error));
        return;
      }
      case 'online':
        online = msg.online;
        return;
      case 'record':
        roomRecord = { seen: msg.seen, ...(msg.genesis !== null ? { genesis: msg.genesis } : {}) };
        return events.emit('record', roomRecord);
      case 'lease':
        return events.emit('lease', { holder: msg.holder === null ? null : asPeerId(msg.holder), epoch: asEpoch(msg.epoch), ttlMs: msg.ttlMs });
    }
  };
  port.addEventListener('message', onMessage);
  port.start?.();

  const lease: LeaseClient = {
    requestLease: (minEpoch) => post({ type: 'lease-request', minEpoch }),
    releaseLease: () => post({ type: 'lease-release' }),
    onLease: (listener) => events.on('lease', listener),
    get online() {
      return online;
    },
  };

  const record: RoomRecordClient = {
    get record() {
      return roomRecord;
    },
    onRecord: (listener) => events.on('record', listener),
    reportHistory: (genesis, started) => post({ type: 'history', genesis, started }),
  };

  return {
    kind,
    self,
    lease,
    record,
    get invalid() {
      return invalid;
    },
    connect() {
      ready ??= request('connect').then(markReady);
      return ready;
    },
    whenReady: () => firstReady,
    peers: () => [...linked],
    refused: (peer) => post({ type: 'refused', from: peer }),
    send(to, message) {
      if (!linked.has(to)) return false;
      post({ type: 'send', to, message });
      return true;
    },
    async disconnect() {
      await request('disconnect');
      linked.clear();
      ready = null;
      firstReady = new Promise<void>((resolve) => (markReady = resolve));
    },
    on: (event, listener) => events.on(event, listener),
    close() {
      port.removeEventListener('message', onMessage);
      for (const w of waiting.values()) w.reject(new Error('room port closed'));
      waiting.clear();
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
