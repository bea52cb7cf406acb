// ws-relay transport: data between two admitted peers flows through the signaling server. The fallback when a
// direct link cannot be made, and the only link a headless Node peer needs.
import type { PeerId } from '../core/ids';
import { deferred } from './deferred';
import type { FrameSink } from './framing';
import { LinkTable } from './link-table';
import type { Rendezvous } from './rendezvous';
import type { LinkFactory, SeverableLink } from './room/links';
import { TransportKind, type Transport, type TransportEvents } from './transport';

export interface WsRelayOptions {
  readonly rendezvous: Rendezvous;
  /** Close the signaling client on disconnect() (true when this transport is the only user of it). */
  readonly ownsClient?: boolean;
  /** Frame size on the relay; well under the server's message limit even after sealing (base64 + IV + tag). */
  readonly maxFrameBytes?: number;
}

export function createWsRelayTransport(opts: WsRelayOptions): Transport & SeverableLink & { readonly invalid: number } {
  const rv = opts.rendezvous;
  const links = new LinkTable({ maxFrameBytes: opts.maxFrameBytes ?? 64 * 1024 });
  const sinkFor = (peer: PeerId): FrameSink => ({
    send: (frame) => void rv.relay(peer, frame),
    // The WebSocket buffers for us; the server's rate limit is the real brake on a relay.
    bufferedAmount: () => 0,
    onceDrained: (resume) => queueMicrotask(resume),
  });
  const offs = [
    rv.on('admitted', ({ peerId }) => {
      links.events.emit('peer-candidate', { peerId });
      links.add(peerId, sinkFor(peerId));
    }),
    rv.on('departed', ({ peerId, reason }) => {
      severed.delete(peerId);
      links.remove(peerId, reason);
    }),
    rv.on('relay', ({ from, frame }) => {
      // A peer the room cut off (sever) is carried again once it is heard from: the room decides whether
      // it is still cut off (and severs it again at once) or may return.
      if (severed.delete(from) && rv.isAdmitted(from)) links.add(from, sinkFor(from));
      links.receive(from, frame);
    }),
    rv.on('error', (e) => links.fail(e)),
  ];
  const severed = new Set<PeerId>();
  const ready = deferred();
  let connecting: Promise<void> | null = null;

  return {
    kind: TransportKind.WsRelay,
    self: rv.self,
    get invalid() {
      return links.invalid + rv.invalid;
    },
    connect() {
      connecting ??= rv.client.connect().then(() => {
        for (const p of rv.admitted()) if (!links.has(p)) links.add(p, sinkFor(p));
        ready.resolve();
      });
      return connecting;
    },
    whenReady: () => ready.promise,
    peers: () => links.peers(),
    send: (to, message) => links.send(to, message),
    sendEncoded: (to, json) => links.sendEncoded(to, json),
    sever(peer: PeerId, reason: string) {
      if (!links.has(peer)) return;
      severed.add(peer);
      links.remove(peer, reason);
    },
    async disconnect() {
      for (const off of offs) off();
      if (opts.ownsClient) await rv.client.close();
      links.clear('disconnected');
    },
    on: <K extends keyof TransportEvents>(event: K, listener: (p: TransportEvents[K]) => void) => links.events.on(event, listener),
  };
}

/** The room's relay link through its signaling server (none for a server-less room). */
export function wsRelayLink(opts: Omit<WsRelayOptions, 'rendezvous' | 'ownsClient'> = {}): LinkFactory {
  return (ctx) => (ctx.rendezvous ? createWsRelayTransport({ ...opts, rendezvous: ctx.rendezvous }) : null);
}
