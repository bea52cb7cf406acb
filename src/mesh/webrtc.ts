// webrtc transport: one simple-peer connection per admitted peer, trickle ICE through the (sealed) rendezvous.
// Glare is avoided by rule: the peer with the lower id makes the offer, the other answers. After the data
// channel opens, frames go straight to and from the RTCDataChannel (no stream layer), which keeps the round
// trip close to a raw channel's.
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { Instance as SimplePeerInstance, Options as SimplePeerOptions, SignalData } from 'simple-peer';
import * as v from 'valibot';
import { systemClock, systemRandom, type Clock, type Random, type TimerHandle } from '../core/clock';
import type { PeerId } from '../core/ids';
import { logger } from '../core/log';
import { Backoff } from './backoff';
import type { IceServer, IceSettings, WrtcModule } from './ice-server';
import { frameBytesFor, onceDrained } from './data-channel';
import { deferred } from './deferred';
import { LinkTable } from './link-table';
import type { Rendezvous } from './rendezvous';
import type { LinkFactory } from './room/links';
import { TransportKind, type Transport, type TransportEvents } from './transport';

const log = logger('kinetic:mesh:webrtc');

/** What simple-peer may send through signaling: SDP, candidates, or its renegotiation requests. */
const Signal = v.union([
  v.object({ type: v.picklist(['offer', 'answer', 'pranswer', 'rollback']), sdp: v.optional(v.string()) }),
  v.object({ type: v.literal('candidate'), candidate: v.object({ candidate: v.string() }) }),
  v.object({ renegotiate: v.literal(true) }),
  v.object({ transceiverRequest: v.object({ kind: v.string() }) }),
]);

export interface WebRtcOptions {
  readonly rendezvous: Rendezvous;
  /** STUN/TURN servers (`{ urls, username, credential }`); empty means host candidates only (LAN, loopback). */
  readonly iceServers?: readonly IceServer[];
  /** Evaluated for every new link (wins over `iceServers`): e.g. a signaling server's /ice, kept fresh. */
  readonly iceSettings?: () => IceSettings;
  /** Node: `@roamhq/wrtc`. Browsers: omit. */
  readonly wrtc?: WrtcModule;
  readonly ownsClient?: boolean;
  /** Give up on a link attempt after this long and retry with backoff. */
  readonly connectTimeoutMs?: number;
  readonly maxFrameBytes?: number;
  readonly clock?: Clock;
  readonly random?: Random;
}

interface Session {
  readonly sp: SimplePeerInstance;
  readonly initiator: boolean;
  connected: boolean;
  /** Frames that arrived before our side saw 'connect' (the other side may see it first and start sending). */
  early: unknown[];
  gotOffer: boolean;
  timer: TimerHandle | null;
}

type DataChannel = RTCDataChannel;

export type WebRtcTransport = Transport & {
  readonly invalid: number;
  /** Tear down the link to `peer` (the room's heartbeat saw it vanish); it is re-made if the peer returns. */
  drop(peer: PeerId, reason: string): void;
};

/** The RTCConfiguration part a new link gets: fresh settings when a source is given, else the fixed servers. */
function iceConfigOf(opts: WebRtcOptions): { iceServers: IceServer[]; iceTransportPolicy?: 'all' | 'relay' } {
  const settings = opts.iceSettings?.();
  if (!settings) return { iceServers: [...(opts.iceServers ?? [])] };
  return { iceServers: [...settings.iceServers], ...(settings.iceTransportPolicy ? { iceTransportPolicy: settings.iceTransportPolicy } : {}) };
}

export function createWebRtcTransport(opts: WebRtcOptions): WebRtcTransport {
  const rv = opts.rendezvous;
  const self = rv.self;
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? systemRandom;
  const links = new LinkTable();
  const sessions = new Map<PeerId, Session>();
  const retries = new Map<PeerId, { backoff: Backoff; timer: TimerHandle | null }>();
  let invalidSignals = 0;
  let stopped = false;

  const open = (peer: PeerId, initiator: boolean): Session => {
    const sp = new SimplePeer({
      initiator,
      trickle: true,
      config: iceConfigOf(opts),
      objectMode: true,
      ...(opts.wrtc ? { wrtc: opts.wrtc as SimplePeerOptions['wrtc'] } : {}),
    });
    const session: Session = { sp, initiator, connected: false, early: [], gotOffer: false, timer: null };
    sessions.set(peer, session);
    links.events.emit('peer-candidate', { peerId: peer });
    session.timer = clock.setTimeout(() => {
      if (!session.connected) close(peer, session, 'connect timeout');
    }, opts.connectTimeoutMs ?? 10_000);
    sp.on('signal', (data: SignalData) => rv.signal(peer, data));
    sp.on('data', (data: unknown) => session.early.push(data));
    sp.on('connect', () => {
      if (sessions.get(peer) !== session) return;
      session.connected = true;
      if (session.timer) clock.clearTimeout(session.timer);
      retries.get(peer)?.backoff.reset();
      const channel = (sp as unknown as { _channel: DataChannel })._channel;
      // Bypass simple-peer's stream layer on receive: it would defer every message by a tick.
      channel.onmessage = (ev: MessageEvent) => links.receive(peer, ev.data);
      channel.bufferedAmountLowThreshold = 256 * 1024;
      const pc = (sp as unknown as { _pc?: RTCPeerConnection })._pc;
      links.add(peer, {
        send: (frame) => channel.send(frame),
        bufferedAmount: () => channel.bufferedAmount,
        onceDrained: (resume) => onceDrained(channel, resume, clock),
        isOpen: () => channel.readyState === 'open',
      }, { maxFrameBytes: opts.maxFrameBytes ?? frameBytesFor(pc) });
      for (const frame of session.early) links.receive(peer, frame);
      session.early = [];
      log('linked with %s', peer);
    });
    sp.on('close', () => close(peer, session, 'channel closed'));
    sp.on('error', (err: Error) => {
      log('link to %s failed: %s', peer, err.message);
      close(peer, session, `error: ${err.message}`);
    });
    return session;
  };

  const close = (peer: PeerId, session: Session, reason: string): void => {
    if (sessions.get(peer) !== session) return;
    sessions.delete(peer);
    if (session.timer) clock.clearTimeout(session.timer);
    session.sp.destroy();
    links.remove(peer, reason);
    if (session.initiator) scheduleRetry(peer);
  };

  /** Re-offer with backoff while the peer is still admitted (the answerer just waits for a new offer). */
  const scheduleRetry = (peer: PeerId): void => {
    if (stopped || !rv.isAdmitted(peer)) return;
    let r = retries.get(peer);
    if (!r) retries.set(peer, (r = { backoff: new Backoff(random, { minMs: 100, maxMs: 5000 }), timer: null }));
    if (r.timer) return;
    const entry = r;
    entry.timer = clock.setTimeout(() => {
      entry.timer = null;
      if (!stopped && rv.isAdmitted(peer) && !sessions.has(peer)) open(peer, true);
    }, entry.backoff.next());
  };

  const offs = [
    rv.on('admitted', ({ peerId }) => {
      const existing = sessions.get(peerId);
      if (existing?.connected) return; // a server restart re-admits peers we are still linked with
      if (self < peerId && !existing) open(peerId, true);
    }),
    rv.on('departed', ({ peerId }) => {
      const s = sessions.get(peerId);
      // Established links outlive the signaling server; only attempts in progress depend on it.
      if (s && !s.connected) close(peerId, s, 'peer left signaling before linking');
    }),
    rv.on('signal', ({ from, data }) => {
      const r = v.safeParse(Signal, data);
      if (!r.success) {
        invalidSignals++;
        return;
      }
      let s = sessions.get(from);
      const isOffer = (data as { type?: string }).type === 'offer';
      if (isOffer && s && (s.initiator || s.gotOffer)) {
        // A fresh offer means the other side restarted its attempt: replace ours (the lower id wins glare).
        if (s.initiator && self < from) return;
        close(from, s, 'replaced by a new offer');
        s = undefined;
      }
      s ??= open(from, false);
      if (isOffer) s.gotOffer = true;
      s.sp.signal(data as SignalData);
    }),
    rv.on('error', (e) => links.fail(e)),
  ];
  const ready = deferred();
  let connecting: Promise<void> | null = null;

  return {
    kind: TransportKind.WebRTC,
    self,
    get invalid() {
      return links.invalid + invalidSignals;
    },
    connect() {
      connecting ??= rv.client.connect().then(() => ready.resolve());
      return connecting;
    },
    whenReady: () => ready.promise,
    peers: () => links.peers(),
    send: (to, message) => links.send(to, message),
    sendEncoded: (to, json) => links.sendEncoded(to, json),
    drop(peer, reason) {
      const s = sessions.get(peer);
      if (s) close(peer, s, reason);
    },
    async disconnect() {
      stopped = true;
      for (const off of offs) off();
      for (const r of retries.values()) if (r.timer) clock.clearTimeout(r.timer);
      for (const [peer, s] of [...sessions]) close(peer, s, 'disconnected');
      if (opts.ownsClient) await rv.client.close();
    },
    on: <K extends keyof TransportEvents>(event: K, listener: (p: TransportEvents[K]) => void) => links.events.on(event, listener),
  };
}

/** The room's WebRTC link (none without a signaling server, or where RTCPeerConnection does not exist). */
export function webRtcLink(opts: Omit<WebRtcOptions, 'rendezvous' | 'ownsClient' | 'clock' | 'random'> = {}): LinkFactory {
  return (ctx) => {
    if (!ctx.rendezvous || (!opts.wrtc && typeof RTCPeerConnection === 'undefined')) return null;
    return createWebRtcTransport({ ...opts, rendezvous: ctx.rendezvous, clock: ctx.clock, random: ctx.random });
  };
}
