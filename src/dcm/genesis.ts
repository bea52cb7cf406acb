// Which history of the room this replica holds, and which peers hold another one.
//
// A room's history starts with the first term entry of an empty log; that entry carries a *genesis id*, a
// random name made for it. The name is stored in the replica's meta record (atomically with the entries
// that brought it: one write group) and never changes after. Peers say which history they hold in their
// hello (`catalog`) and on every ballot message (`recover`, `promise`, `append`, `snapshot`, `fetched`), so
// a peer of another history is refused *by name* before any of its entries is accepted: the message is
// dropped, the sender is told `history {genesis}`, and the peer is left out of `peers()` from then on (no
// appends, recoveries or fetches with it). `status().otherHistories` lists them for the user.
//
// Starting a history is an explicit act: only a room whose creator allowed it (`newHistory`, or
// `startNewHistory()` later) starts one when it finds nobody holding history; anyone else waits for a peer
// that holds it (`status().waitingForHistory`). See docs/protocol.md, "Histories meeting".
import type { PeerId } from '../core/ids';
import { randomToken } from './ids';
import type { Persistence } from './persistence';

/** What a room's status says about its histories (room-status.ts spreads it into RoomStatusView). */
export interface HistoryView {
  /** The genesis id of the room history this replica holds (absent before it holds any). */
  readonly genesis?: string;
  /**
   * Linked peers holding *another* history of this room: nothing is exchanged with them. The notice to show
   * (historyNotice): "This room has another history …" (two histories met; neither is merged into the other).
   */
  readonly otherHistories?: readonly { readonly peer: PeerId; readonly genesis: string }[];
  /**
   * This peer holds no history, found nobody holding one, and may not start one (it did not create the
   * room): it waits for a peer with the history. `startNewHistory()` starts one instead (an explicit act).
   */
  readonly waitingForHistory?: true;
}

/** `{ genesis }` when named, else nothing (the field stays off the wire for a peer without history). */
export const named = (genesis: string | null): { genesis?: string } => (genesis ? { genesis } : {});

export interface HistoriesOptions {
  readonly persistence: Persistence;
  readonly random: () => number;
  readonly now: () => number;
  /** The room's creator: it may start the room's history when it finds nobody holding one. */
  readonly mayStart: boolean;
  /** How long after start a replica without history says it waits for one (status().waitingForHistory). */
  readonly searchMs: number;
}

export class Histories {
  readonly #o: HistoriesOptions;
  readonly #persistence: Persistence;
  #mayStart: boolean;
  #startedAt = Infinity;
  /** The history each linked peer said it holds (peers that named none are absent). */
  readonly #theirs = new Map<PeerId, string>();

  constructor(options: HistoriesOptions) {
    this.#o = options;
    this.#persistence = options.persistence;
    this.#mayStart = options.mayStart;
  }

  /** The room started: from now on it searches for the history. */
  started(): void {
    this.#startedAt = this.#o.now();
  }

  /** The genesis id of the history this replica holds (or is writing), null before it holds any. */
  ours(): string | null {
    return this.#persistence.queued.genesis ?? null;
  }

  /** Whether this replica may start the room's history when it finds nobody holding one. */
  get mayStart(): boolean {
    return this.#mayStart && this.ours() === null;
  }

  /** The user asked for a new history (the app's "start a new history" action). */
  allowStart(): void {
    this.#mayStart = true;
  }

  /**
   * Name a new history. The caller appends its first term entry in the same turn, so the name and the
   * entry land in one write group (atomically).
   */
  create(): string {
    const genesis = `g${randomToken(this.#o.random)}${randomToken(this.#o.random)}`;
    this.#adopt(genesis);
    return genesis;
  }

  /**
   * A message of history `theirs` arrived from `from`: whether it may be acted on. Unnamed messages (a peer
   * without history) and any message while we hold none are admitted; another name is refused.
   */
  admits(from: PeerId, theirs: string | undefined): boolean {
    if (theirs !== undefined) this.#theirs.set(from, theirs);
    const ours = this.ours();
    return theirs === undefined || ours === null || theirs === ours;
  }

  /**
   * Entries of history `theirs` are about to be accepted (append, snapshot, fetched): a replica without
   * history takes its name first, in the same write group as the entries.
   */
  join(theirs: string | undefined): void {
    if (theirs !== undefined && this.ours() === null) this.#adopt(theirs);
  }

  /** A peer that said it holds another history than ours. */
  isForeign(peer: PeerId): boolean {
    const ours = this.ours();
    const theirs = this.#theirs.get(peer);
    return ours !== null && theirs !== undefined && theirs !== ours;
  }

  /** Linked peers holding another history of this room, with its name. */
  foreign(): { peer: PeerId; genesis: string }[] {
    return [...this.#theirs].filter(([p]) => this.isForeign(p)).map(([peer, genesis]) => ({ peer, genesis }));
  }

  /** The status fields (room-status.ts). */
  view(): HistoryView {
    const ours = this.ours();
    const others = this.foreign();
    const waiting = ours === null && !this.mayStart && this.#o.now() - this.#startedAt >= this.#o.searchMs;
    return { ...named(ours), ...(others.length ? { otherHistories: others } : {}), ...(waiting ? { waitingForHistory: true } : {}) };
  }

  forget(peer: PeerId): void {
    this.#theirs.delete(peer);
  }

  #adopt(genesis: string): void {
    // A failed write stops the replica (fail-stop, persistence.ts); the entries queued after it fail too.
    this.#persistence.write([], { genesis }).catch(() => undefined);
  }
}

/** What to tell the user about the room's histories (the app's notice), or null when there is nothing to say. */
export function historyNotice(status: HistoryView): string | null {
  const others = status.otherHistories ?? [];
  if (others.length > 0) {
    const who = others.map((o) => o.peer).join(', ');
    return `This room has another history: ${who} ${others.length === 1 ? 'holds' : 'hold'} a history of it that this tab does not share (${others[0]?.genesis ?? ''}; ours: ${status.genesis ?? 'none'}). Nothing is exchanged with them and neither history is merged into the other.`;
  }
  if (status.waitingForHistory) return 'Waiting for the room’s history: nobody who holds it is reachable yet. It arrives when one of them comes online — or start a new history of this room.';
  return null;
}
