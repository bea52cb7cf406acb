// The one-call join's public types: what `joinRoom` takes and what it returns, in the browser and in Node.
import type { Clock, Random } from '../core/clock';
import type { PeerId } from '../core/ids';
import type { Machine } from '../core/machine-api';
import type { Emitters } from '../core/molecule';
import type { ReactorDefinition } from '../core/reactor';
import type { RoomTimings } from '../dcm/context';
import type { DistributedRoom } from '../dcm/room-types';
import type { RoomLink } from '../protocol/room-link';
import type { LinkFactory } from '../mesh/room/links';
import type { MeshRoom } from '../mesh/room/mesh-room';
import type { MemberView } from '../mesh/room/members';
import type { Store } from '../store/store';

/** Reactors by the name you want to use for them: `{ counter, chat }` gives `emit.counter…`, `emit.chat…`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any definition, whatever molecules it exports
export type ReactorSet = Readonly<Record<string, ReactorDefinition<any>>>;

/** The typed emitters of every reactor in a set. */
export type EmittersOf<R extends ReactorSet> = { readonly [K in keyof R]: R[K] extends ReactorDefinition<infer E> ? Emitters<E> : never };

/** Which room: a room link (`https://host/#room=…&key=…` or just the fragment), or its parts. */
export type RoomTarget = string | RoomLink;

export interface JoinOptions<R extends ReactorSet = ReactorSet, U extends ReactorSet = ReactorSet> {
  /** Reactors this peer hosts: it runs their reactions and keeps their local molecules. */
  readonly reactors?: R;
  /**
   * Reactors other peers host that this peer only uses: `emit.<name>` puts their distributed molecules into
   * the room and calls their distributed blocking molecules (delegation), typed from the definition. The
   * definition is only read for its identity and molecule names; none of its code runs here.
   */
  readonly remote?: U;
  /** The name other peers see. */
  readonly name?: string;
  /**
   * ws(s)://host/signal. Default: the room link's own server (a link `https://host/#room=…` → `wss://host/signal`),
   * else, in a browser, this page's origin. `null`: no server (tabs of one browser only, elected by Web Locks).
   */
  readonly signalingUrl?: string | null;
  /** Where this peer's replica, outbox and local molecules live. Default: IndexedDB (browser), a folder (Node). */
  readonly store?: Store;
  /** Links to other peers, preferred first (replaces the default set). */
  readonly links?: readonly LinkFactory[];
  /** Timeout of a blocking call into a `remote` reactor when the call gives none (default 10 000 ms). */
  readonly callTimeoutMs?: number;
  /** How long `close()` waits for this peer's emissions to enter the room (default 3000 ms; the rest stays in the outbox). */
  readonly closeTimeoutMs?: number;
  /** Background failures (the store, the connection); default: the `kinetic:join` debug log. */
  readonly onError?: (error: Error) => void;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly timings?: Partial<RoomTimings>;
  /**
   * This peer creates the room: it may start the room's history when it finds nobody holding one. Default
   * false: opening a link only ever joins the history there is — it waits for a peer holding it
   * (`joined.room.status().waitingForHistory`) and never forks the room silently; `joined.room.startNewHistory()` starts
   * one later as an explicit act. See docs/protocol.md, "Histories meeting".
   */
  readonly newHistory?: boolean;
}

export interface JoinedRoom<R extends ReactorSet = ReactorSet, U extends ReactorSet = ReactorSet> {
  readonly peerId: PeerId;
  /** The chemical machine hosting `reactors`. */
  readonly machine: Machine;
  /** The distributed room: status (sequencer, epoch), catalog of hosted reactors, events. */
  readonly room: DistributedRoom;
  /** The peer mesh: members, links, signaling status. */
  readonly mesh: MeshRoom;
  /** `emit.<reactor>.<molecule>(value)`; blocking molecules return a Promise of the reply. */
  readonly emit: EmittersOf<R> & EmittersOf<U>;
  /** Resolves once the room can be reached (emissions made before then wait in the persistent outbox). */
  readonly connected: Promise<void>;
  /** Everyone in the room, this peer first. */
  members(): MemberView[];
  /** Called with the member list whenever it changes; returns the unsubscribe function. */
  onMembers(listener: (members: readonly MemberView[]) => void): () => void;
  /**
   * Leave: wait (up to `closeTimeoutMs`) for this peer's emissions to enter the room, hand over the sequencer
   * role, say goodbye, write local state, close the store.
   */
  close(): Promise<void>;
}
