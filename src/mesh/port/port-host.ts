// Main-thread half of the room port: serves the real Transport (the mesh room) and, when there is one, the
// signaling server's LeaseClient and room record to the machine worker over a MessagePort.
import { logger } from '../../core/log';
import type { LeaseClient } from '../lease';
import type { RoomRecordClient, RoomRecordView } from '../room-record';
import type { Transport } from '../transport';
import { batchingPoster, parseToMain, ROOM_PORT_VERSION, unbatch, type PortLike, type ToWorker } from './port-protocol';

const log = logger('kinetic:mesh:port-host');

export interface RoomPortHost {
  /** Messages from the worker that failed validation (dropped). */
  readonly invalid: number;
  /** Stop forwarding (the transport itself is left as it is). */
  stop(): void;
}

export function serveRoomPort(port: PortLike, transport: Transport, lease: LeaseClient | null = null, record: RoomRecordClient | null = null): RoomPortHost {
  let invalid = 0;
  const postBatched = batchingPoster(port, (e) => log('a message to the worker could not be sent (dropped)', e));
  const post = (m: DistributiveOmit<ToWorker, 'v'>): void => postBatched({ v: ROOM_PORT_VERSION, ...m });
  const peersNow = (): void => post({ type: 'peers', peers: [...transport.peers()] });

  const offs = [
    transport.on('peer-candidate', ({ peerId }) => post({ type: 'peer-candidate', peerId })),
    transport.on('peer-connected', ({ peerId }) => post({ type: 'peer-connected', peerId })),
    transport.on('peer-disconnected', ({ peerId, reason }) => post({ type: 'peer-disconnected', peerId, reason })),
    transport.on('message', ({ from, message }) => post({ type: 'message', from, message })),
    transport.on('error', (e) => post({ type: 'error', message: e.message })),
  ];
  if (lease) {
    offs.push(
      lease.onLease((s) => {
        post({ type: 'online', online: lease.online });
        post({ type: 'lease', holder: s.holder, epoch: s.epoch, ttlMs: s.ttlMs });
      }),
    );
  }

  const postRecord = (r: RoomRecordView): void => post({ type: 'record', seen: r.seen, genesis: r.genesis ?? null });
  if (record) offs.push(record.onRecord(postRecord));

  const settle = (id: number, p: Promise<void>): void => {
    p.then(
      () => {
        peersNow();
        post({ type: 'done', id, error: null });
      },
      (e: unknown) => post({ type: 'done', id, error: e instanceof Error ? e.message : String(e) }),
    );
  };

  const onMessage = (event: MessageEvent): void => {
    for (const item of unbatch(event.data)) receive(item);
  };
  const receive = (data: unknown): void => {
    const msg = parseToMain(data);
    if (!msg) {
      invalid++;
      log('invalid message from the worker (dropped)');
      return;
    }
    switch (msg.type) {
      case 'send':
        // false = no link right now; the protocol above copes with loss (retries, log catch-up).
        if (!transport.send(msg.to as Transport['self'], msg.message)) log('send to unlinked peer dropped', msg.to);
        return;
      case 'connect':
        return settle(msg.id, transport.connect());
      case 'disconnect':
        return settle(msg.id, transport.disconnect());
      case 'lease-request':
        return lease?.requestLease(msg.minEpoch);
      case 'lease-release':
        return lease?.releaseLease();
      case 'refused':
        return transport.refused?.(msg.from as Transport['self']);
      case 'history':
        return record?.reportHistory(msg.genesis, msg.started);
    }
  };
  port.addEventListener('message', onMessage);
  port.start?.();
  peersNow();
  if (lease) post({ type: 'online', online: lease.online });
  if (record?.record) postRecord(record.record);

  return {
    get invalid() {
      return invalid;
    },
    stop() {
      for (const off of offs) off();
      port.removeEventListener('message', onMessage);
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
