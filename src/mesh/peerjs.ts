// peerjs transport: a second signaling strategy for people who already run a PeerServer (`npx peerjs --port
// 9000 --allow_discovery` from the `peer` package). Peers register room-scoped ids, find each other through
// the server's peer list, and link with PeerJS data connections (raw strings; our own framing on top). The
// first message on a connection is a proof sealed with the room key; nothing else is accepted before it.
import * as peerjsModule from 'peerjs';
import type { DataConnection, Peer, PeerJSOption } from 'peerjs';
import { systemClock, type Clock, type TimerHandle } from '../core/clock';
import type { PeerId } from '../core/ids';
import { asPeerId } from '../core/ids';
import { logger } from '../core/log';
import { deferred } from './deferred';
import { LinkTable } from './link-table';
import { WrongRoomKeyError, type RoomCipher } from './room/crypto';
import type { LinkFactory } from './room/links';
import { TransportKind, type Transport, type TransportEvents } from './transport';
import { onceDrained } from './data-channel';
import type { IceServer } from './ice-server';

const log = logger('kinetic:mesh:peerjs');

// Bundlers take peerjs' ES build (named exports); Node's ESM loader gets its CommonJS build, whose exports it
// cannot see statically, so the class is only on `default` there.
const PeerClass: typeof Peer = peerjsModule.Peer ?? (peerjsModule as unknown as { default: { Peer: typeof Peer } }).default.Peer;

export interface PeerJsServer {
  readonly host: string;
  readonly port: number;
  /** The PeerServer's mount path, e.g. '/' or '/peerjs'. */
  readonly path?: string;
  readonly secure?: boolean;
}

export interface PeerJsOptions {
  readonly self: PeerId;
  readonly roomHash: string;
  readonly server: PeerJsServer;
  readonly cipher?: Promise<RoomCipher | null> | null;
  readonly iceServers?: readonly IceServer[];
  /** How often to poll the PeerServer's peer list for newcomers. */
  readonly discoveryMs?: number;
  readonly clock?: Clock;
}

/** PeerJS ids allow letters and digits with single separators; ours become `km<room prefix>-<peer id>`. */
const ALNUM = /^[A-Za-z0-9]+$/;

export function peerJsId(roomHash: string, peer: string): string {
  if (!ALNUM.test(peer)) throw new Error(`peerjs transport needs alphanumeric peer ids, got "${peer}"`);
  return `km${roomHash.replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}-${peer}`;
}

export function createPeerJsTransport(opts: PeerJsOptions): Transport & { readonly invalid: number } {
  const { self, roomHash } = opts;
  const clock = opts.clock ?? systemClock;
  const myId = peerJsId(roomHash, self);
  const prefix = myId.slice(0, myId.indexOf('-') + 1);
  const links = new LinkTable();
  const conns = new Map<PeerId, DataConnection>();
  const ready = deferred();
  let peer: Peer | null = null;
  let poll: TimerHandle | null = null;
  let invalidProofs = 0;
  const proofText = (from: string, to: string): string => `kinetic-mesh/peerjs/${roomHash}/${from}/${to}`;

  const prove = async (to: PeerId): Promise<string> => {
    const cipher = await opts.cipher;
    return cipher ? cipher.seal(proofText(self, to)) : 'no-key';
  };
  const verify = async (from: PeerId, proof: unknown): Promise<boolean> => {
    const cipher = await opts.cipher;
    if (!cipher) return proof === 'no-key';
    return typeof proof === 'string' && (await cipher.open(proof)) === proofText(from, self);
  };

  /** Wire a data connection: send our proof, admit the other side only after its proof checks out. */
  const adopt = (remote: PeerId, conn: DataConnection): void => {
    conns.get(remote)?.close();
    conns.set(remote, conn);
    links.events.emit('peer-candidate', { peerId: remote });
    // 'proof' until the other side's first message checked out; frames that arrive while the (async) check
    // runs are held, not mistaken for proofs.
    let phase: 'proof' | 'checking' | 'admitted' = 'proof';
    const held: unknown[] = [];
    conn.on('open', () => void prove(remote).then((p) => conn.send(p)));
    conn.on('data', (data: unknown) => {
      if (phase === 'admitted') return links.receive(remote, data);
      if (phase === 'checking') return void held.push(data);
      phase = 'checking';
      void verify(remote, data).then((ok) => {
        if (!ok) {
          invalidProofs++;
          links.fail(new WrongRoomKeyError(`wrong room key: peer ${remote} could not prove the room key; no link made`));
          return conn.close();
        }
        phase = 'admitted';
        const dc = (conn as unknown as { dataChannel: RTCDataChannel }).dataChannel;
        dc.bufferedAmountLowThreshold = 256 * 1024;
        links.add(remote, {
          send: (frame) => dc.send(frame),
          bufferedAmount: () => dc.bufferedAmount,
          onceDrained: (resume) => onceDrained(dc, resume, clock),
        isOpen: () => dc.readyState === 'open',
        });
        for (const frame of held.splice(0)) links.receive(remote, frame);
      });
    });
    const gone = (reason: string) => (): void => {
      if (conns.get(remote) !== conn) return;
      conns.delete(remote);
      links.remove(remote, reason);
    };
    conn.on('close', gone('connection closed'));
    conn.on('error', (e: Error) => {
      log('connection to %s failed: %s', remote, e.message);
      gone(`error: ${e.message}`)();
    });
  };

  /** Connect to room members we have no connection with; the lower id dials, so two never dial each other. */
  const discover = (): void => {
    if (!peer || peer.destroyed) return;
    peer.listAllPeers((ids: string[]) => {
      for (const id of ids) {
        if (!id.startsWith(prefix) || id === myId) continue;
        const remote = asPeerId(id.slice(prefix.length));
        if (self < remote && !conns.has(remote)) adopt(remote, (peer as Peer).connect(id, { reliable: true, serialization: 'raw' }));
      }
    });
    poll = clock.setTimeout(discover, opts.discoveryMs ?? 1000);
  };

  return {
    kind: TransportKind.PeerJS,
    self,
    get invalid() {
      return links.invalid + invalidProofs;
    },
    connect() {
      if (peer) return ready.promise;
      const s = opts.server;
      const options: PeerJSOption = { host: s.host, port: s.port, path: s.path ?? '/', secure: s.secure ?? false, config: { iceServers: [...(opts.iceServers ?? [])] }, debug: 0 };
      const p = new PeerClass(myId, options);
      peer = p;
      p.on('open', () => {
        ready.resolve();
        discover();
      });
      p.on('connection', (conn: DataConnection) => {
        if (!conn.peer.startsWith(prefix)) return void conn.close(); // another room on the same PeerServer
        adopt(asPeerId(conn.peer.slice(prefix.length)), conn);
      });
      p.on('error', (e: Error & { type?: string }) => {
        // peer-unavailable: a listed peer left before we dialled; not worth an error event.
        if (e.type === 'peer-unavailable') return;
        if (e.type === 'unavailable-id') ready.reject(new Error(`peerjs id ${myId} is taken (duplicate peer id)`));
        links.fail(e);
      });
      return ready.promise;
    },
    whenReady: () => ready.promise,
    peers: () => links.peers(),
    send: (to, message) => links.send(to, message),
    sendEncoded: (to, json) => links.sendEncoded(to, json),
    disconnect() {
      if (poll) clock.clearTimeout(poll);
      poll = null;
      for (const c of conns.values()) c.close();
      conns.clear();
      peer?.destroy();
      peer = null;
      links.clear('disconnected');
      return Promise.resolve();
    },
    on: <K extends keyof TransportEvents>(event: K, listener: (p: TransportEvents[K]) => void) => links.events.on(event, listener),
  };
}

/** The room's PeerJS link, against the given PeerServer. */
export function peerJsLink(server: PeerJsServer, extra: Pick<PeerJsOptions, 'iceServers' | 'discoveryMs'> = {}): LinkFactory {
  return (ctx) => createPeerJsTransport({ ...extra, self: ctx.self, roomHash: ctx.roomHash, server, cipher: ctx.cipher, clock: ctx.clock });
}
