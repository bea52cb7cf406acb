// The one-call join, assembled in the order the app's machine worker uses (workers/machine-host.ts): the
// room's store, this peer's identity in it, its local molecules, the mesh room, the elector, the distributed
// room, the machine with the reactors restored from storage — and only then the network. The browser and
// Node entries differ only in the defaults they pass as a JoinPlatform.
import { systemClock, systemRandom } from '../core/clock';
import { logger } from '../core/log';
import { createMachine } from '../core/machine';
import type { Elector } from '../dcm/elector';
import { createLeaseElector } from '../dcm/electors/lease';
import { createWebLocksElector, storeEpochCounter } from '../dcm/electors/web-locks';
import { createDistributedRoom } from '../dcm/room';
import { randomPeerId } from '../mesh/peer-id';
import type { WebSocketFactory } from '../mesh/signaling-client';
import type { LinkFactory } from '../mesh/room/links';
import { createMeshRoom, type MeshRoom } from '../mesh/room/mesh-room';
import { parseRoomLink, type RoomLink } from '../protocol/room-link';
import { LocalMolecules } from '../store/local-molecules';
import { claimPeerIdentity, peerPrefix } from '../store/peer-identity';
import { databaseNameFor } from '../store/room-database';
import { scopeStore } from '../store/scoped';
import type { Store } from '../store/store';
import { delegatedEmitters } from './delegate';
import type { EmittersOf, JoinedRoom, JoinOptions, ReactorSet, RoomTarget } from './types';

const log = logger('kinetic:join');

/** What differs between a browser tab and a Node process. */
export interface JoinPlatform {
  /** The room's own store when the caller gave none; `scope` names it (and the identity locks). */
  openStore(scope: string): Promise<Store>;
  /** Web Locks (browser): one identity per tab, and elections without a server. */
  readonly locks: LockManager | null;
  /** The peer id this tab had before a reload, tried first. */
  preferredPeer(room: string): string | null;
  rememberPeer(room: string, id: string): void;
  readonly webSocket?: WebSocketFactory;
  /** Where the signaling server is when neither the options nor the link say. */
  defaultSignalingUrl(): string | null;
  defaultLinks(signaling: boolean): LinkFactory[];
  /** Leave when the page goes away (browser); returns the undo. */
  onPageHide?(mesh: MeshRoom, flush: () => Promise<void>): () => void;
}

/** Room and key from a link or its parts; the link's server, if it has one, as ws(s)://host/signal. */
export function resolveTarget(target: RoomTarget): { link: RoomLink; signalingUrl: string | null } {
  if (typeof target !== 'string') {
    if (!target.room) throw new Error('joinRoom: the room needs a name');
    return { link: target, signalingUrl: null };
  }
  const link = parseRoomLink(target);
  if (!link) throw new Error(`joinRoom: "${target}" is not a room link (expected …#room=<name>&key=<secret>)`);
  const origin = /^(https?):\/\/([^/#?]+)/i.exec(target);
  const signalingUrl = origin ? `${origin[1]?.toLowerCase() === 'https' ? 'wss' : 'ws'}://${origin[2]}/signal` : null;
  return { link, signalingUrl };
}

export async function assembleJoin<R extends ReactorSet, U extends ReactorSet>(target: RoomTarget, options: JoinOptions<R, U>, platform: JoinPlatform): Promise<JoinedRoom<R, U>> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const onError = options.onError ?? ((e: Error) => log('background error', e));
  const { link, signalingUrl: linkServer } = resolveTarget(target);
  const signalingUrl = options.signalingUrl === undefined ? (linkServer ?? platform.defaultSignalingUrl()) : options.signalingUrl;
  if (!signalingUrl && !platform.locks) throw new Error('joinRoom: no signaling server given (signalingUrl, or a link with its server), and without Web Locks a room needs one');

  const scope = await databaseNameFor(link.room);
  const ownsStore = !options.store;
  const store = options.store ?? (await platform.openStore(scope));
  const undo: Array<() => Promise<void> | void> = [];
  const cleanup = async (): Promise<void> => {
    for (const step of undo.reverse()) await step();
    undo.length = 0;
  };
  if (ownsStore) undo.push(() => store.close());
  try {
    const identity = await claimPeerIdentity({
      store,
      scope,
      locks: platform.locks,
      preferred: platform.preferredPeer(link.room) as JoinedRoom['peerId'] | null,
      newId: () => randomPeerId(random),
      now: () => Date.now(),
      ...(options.name ? { displayName: options.name } : {}),
    });
    undo.push(() => identity.release());
    const self = identity.record.id;
    platform.rememberPeer(link.room, self);
    const peerStore = scopeStore(store, peerPrefix(self));
    const local = await LocalMolecules.open({ store: peerStore, clock, onError });

    const mesh = createMeshRoom({
      roomName: link.room,
      ...(link.key ? { key: link.key } : {}),
      ...(signalingUrl ? { signalingUrl } : {}),
      peerId: self,
      displayName: options.name ?? identity.record.displayName,
      links: options.links ? [...options.links] : platform.defaultLinks(signalingUrl !== null),
      ...(platform.webSocket ? { webSocket: platform.webSocket } : {}),
      clock,
      random,
    });
    undo.push(() => mesh.disconnect());
    const elector: Elector =
      signalingUrl || !platform.locks
        ? createLeaseElector({ self, lease: mesh.lease, clock })
        : createWebLocksElector({ self, locks: platform.locks, name: `kinetic-mesh/${scope}/sequencer`, counter: storeEpochCounter(store, 'sequencer/epoch'), onError });
    const room = createDistributedRoom({ self, transport: mesh, elector, store: peerStore, clock, random, newHistory: options.newHistory ?? false, ...(options.timings ? { timings: options.timings } : {}) });
    room.on('error', onError);
    await room.start();
    // Tell the signaling server's room record the history this peer holds, so a peer that opens the link
    // with none learns the room has one (advice only: docs/protocol.md, "Histories meeting"). `started` when
    // this peer came as the room's creator and had none: the history it holds next is the one it started.
    const creator = (options.newHistory ?? false) && room.status().genesis === undefined;
    let told: string | undefined;
    const tell = (): void => {
      const genesis = room.status().genesis;
      if (genesis !== undefined && genesis !== told) mesh.record.reportHistory((told = genesis), creator);
    };
    undo.push(room.on('status', tell));
    tell();
    const machine = createMachine({ peerId: self, clock, random, distributed: room });
    undo.push(async () => {
      await room.stop(); // hands the sequencer role over while the machine can still hear about it
      machine.dispose();
    });
    const emit: Record<string, unknown> = {};
    for (const [name, definition] of Object.entries(options.remote ?? {})) {
      emit[name] = delegatedEmitters(room, definition, clock, options.callTimeoutMs ?? 10_000);
    }
    for (const [name, definition] of Object.entries(options.reactors ?? {})) {
      emit[name] = machine.load(definition, { restore: local.restoreFor(definition.id) }).emit;
    }
    const stopFollowing = local.follow(machine);
    const flush = (): Promise<void> => local.flush();
    const stopPageHide = platform.onPageHide?.(mesh, flush);

    // Only now join: everything above worked from storage alone.
    const connected = mesh.connect();
    connected.catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));
    let closing: Promise<void> | null = null;

    return {
      peerId: self,
      machine,
      room,
      mesh,
      emit: emit as EmittersOf<R> & EmittersOf<U>,
      connected,
      members: () => mesh.members(),
      onMembers: (listener) => mesh.on('members', listener),
      close() {
        closing ??= (async () => {
          stopPageHide?.();
          // What this peer emitted should be in the room before it leaves: durable first, then delivered (for
          // a bounded time; whatever is still in the outbox then stays there, stored, and goes next time).
          await room.flush().catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));
          for (const end = clock.now() + (options.closeTimeoutMs ?? 3000); room.status().outbox > 0 && clock.now() < end; ) {
            await new Promise<void>((resolve) => clock.setTimeout(resolve, 20));
          }
          // The last snapshot is taken from the soup itself while still following it; then stop.
          await local.flush();
          await local.compact();
          stopFollowing();
          await local.flush();
          await cleanup();
        })();
        return closing;
      },
    };
  } catch (e) {
    await cleanup().catch((c: unknown) => log('cleanup after a failed join', c));
    throw e;
  }
}
