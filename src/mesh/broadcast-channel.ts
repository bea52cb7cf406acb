// broadcast-channel transport: tabs of one browser (same origin) find each other and talk with no server.
// Discovery runs on one channel per room; each pair then gets its own channel, so data is not fanned out to
// every tab. A hello carries a proof sealed with the room key, so a tab with another key is refused.
import type { PeerId } from '../core/ids';
import { asPeerId } from '../core/ids';
import { logger } from '../core/log';
import { deferred } from './deferred';
import { LinkTable } from './link-table';
import { WrongRoomKeyError, type RoomCipher } from './room/crypto';
import type { LinkFactory } from './room/links';
import { TransportKind, type Transport, type TransportEvents } from './transport';

const log = logger('kinetic:mesh:bc');

/** The part of BroadcastChannel used here (browsers, workers and Node all have it). */
export interface BroadcastChannelLike {
  onmessage: ((ev: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}
export type BroadcastChannelFactory = (name: string) => BroadcastChannelLike;

export interface BroadcastChannelOptions {
  readonly self: PeerId;
  /** The hashed room name (the room name itself is not needed). */
  readonly roomHash: string;
  readonly cipher?: Promise<RoomCipher | null> | null;
  readonly channel?: BroadcastChannelFactory;
  /** Random per join: tells a reloaded tab (same id, new instance) from the old one. */
  readonly instance?: string;
}

type Control =
  | { t: 'hello'; from: string; inc: string; proof: string }
  | { t: 'here'; from: string; to: string; inc: string; proof: string }
  | { t: 'bye'; from: string; inc: string };

interface Pair {
  readonly ch: BroadcastChannelLike;
  readonly inc: string;
  up: boolean;
}

const ACK = 'ack';

function parseControl(x: unknown): Control | null {
  if (typeof x !== 'object' || x === null) return null;
  const c = x as Record<string, unknown>;
  const str = (k: string): boolean => typeof c[k] === 'string' && (c[k] as string).length <= 4096;
  if (!str('from') || !str('inc')) return null;
  if (c['t'] === 'bye') return c as Control;
  if ((c['t'] === 'hello' || (c['t'] === 'here' && str('to'))) && str('proof')) return c as Control;
  return null;
}

export function createBroadcastChannelTransport(opts: BroadcastChannelOptions): Transport & { readonly invalid: number } {
  const { self, roomHash } = opts;
  const open = opts.channel ?? ((name: string) => new BroadcastChannel(name) as unknown as BroadcastChannelLike);
  const inc = opts.instance ?? Math.random().toString(36).slice(2);
  const links = new LinkTable();
  const pairs = new Map<PeerId, Pair>();
  let control: BroadcastChannelLike | null = null;
  let invalidControl = 0;
  const ready = deferred();
  const proofText = (from: string): string => `kinetic-mesh/bc/${roomHash}/${from}`;

  const prove = async (): Promise<string> => {
    const cipher = await opts.cipher;
    return cipher ? cipher.seal(proofText(self)) : '';
  };
  const verify = async (from: string, proof: string): Promise<boolean> => {
    const cipher = await opts.cipher;
    return cipher ? (await cipher.open(proof)) === proofText(from) : true;
  };

  // A pair channel only hears messages posted after it opened, so a side starts sending only once it knows
  // the other side's channel exists: the 'here' (answer to a hello) proves it to the hello's sender, and that
  // sender's ACK on the pair channel proves it back.
  const ensurePair = (peer: PeerId, peerInc: string): Pair => {
    const existing = pairs.get(peer);
    if (existing?.inc === peerInc) return existing;
    if (existing) unlink(peer, 'replaced by a reloaded tab');
    const [a, b] = self < peer ? [self, peer] : [peer, self];
    const pair: Pair = { ch: open(`kinetic-mesh/${roomHash}/${a}|${b}`), inc: peerInc, up: false };
    pair.ch.onmessage = (ev) => (ev.data === ACK ? markUp(peer, pair) : links.receive(peer, ev.data));
    pairs.set(peer, pair);
    links.events.emit('peer-candidate', { peerId: peer });
    return pair;
  };

  const markUp = (peer: PeerId, pair: Pair): void => {
    if (pair.up || pairs.get(peer) !== pair) return;
    pair.up = true;
    links.add(peer, { send: (frame) => pair.ch.postMessage(frame), bufferedAmount: () => 0, onceDrained: (resume) => queueMicrotask(resume) });
  };

  const unlink = (peer: PeerId, reason: string): void => {
    pairs.get(peer)?.ch.close();
    pairs.delete(peer);
    links.remove(peer, reason);
  };

  const onControl = async (raw: unknown): Promise<void> => {
    const c = parseControl(raw);
    if (!c) return void invalidControl++;
    if (c.from === self) {
      // Same id, another instance: a duplicated tab. Not linkable; surface it.
      if (c.inc !== inc && c.t === 'hello') links.fail(new Error(`another tab uses this peer id (${self})`));
      return;
    }
    const peer = asPeerId(c.from);
    if (c.t === 'bye') {
      if (pairs.get(peer)?.inc === c.inc) unlink(peer, 'goodbye');
      return;
    }
    if (c.t === 'here' && c.to !== self) return;
    if (!(await verify(c.from, c.proof))) {
      invalidControl++;
      links.fail(new WrongRoomKeyError(`wrong room key: tab ${c.from} in this browser uses a different key for this room; no link made`));
      return;
    }
    const pair = ensurePair(peer, c.inc);
    if (c.t === 'hello') {
      control?.postMessage({ t: 'here', from: self, to: peer, inc, proof: await prove() } satisfies Control);
    } else {
      pair.ch.postMessage(ACK);
      markUp(peer, pair);
    }
  };

  return {
    kind: TransportKind.BroadcastChannel,
    self,
    get invalid() {
      return links.invalid + invalidControl;
    },
    async connect() {
      if (control) return ready.promise;
      const ch = open(`kinetic-mesh/${roomHash}`);
      control = ch;
      ch.onmessage = (ev) => void onControl(ev.data).catch((e: unknown) => links.fail(e));
      ch.postMessage({ t: 'hello', from: self, inc, proof: await prove() } satisfies Control);
      log('hello sent as %s', self);
      ready.resolve();
    },
    whenReady: () => ready.promise,
    peers: () => links.peers(),
    send: (to, message) => links.send(to, message),
    sendEncoded: (to, json) => links.sendEncoded(to, json),
    disconnect() {
      control?.postMessage({ t: 'bye', from: self, inc } satisfies Control);
      control?.close();
      control = null;
      for (const peer of [...pairs.keys()]) unlink(peer, 'disconnected');
      return Promise.resolve();
    },
    on: <K extends keyof TransportEvents>(event: K, listener: (p: TransportEvents[K]) => void) => links.events.on(event, listener),
  };
}

/** The room's same-browser link (none where BroadcastChannel does not exist). */
export function broadcastChannelLink(opts: Pick<BroadcastChannelOptions, 'channel'> = {}): LinkFactory {
  return (ctx) =>
    !opts.channel && typeof BroadcastChannel === 'undefined'
      ? null
      : createBroadcastChannelTransport({ self: ctx.self, roomHash: ctx.roomHash, cipher: ctx.cipher, ...(opts.channel ? { channel: opts.channel } : {}) });
}
