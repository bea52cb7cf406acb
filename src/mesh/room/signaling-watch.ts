// What a mesh room knows about its signaling server and its own health: the connection status shown in the
// UI, and the one problem to tell the user (wrong key, a namesake room under another key while we are alone,
// a duplicate peer id, an unreachable server). MeshRoom reports what happens; this decides what it means.
import type { Emitter } from '../../core/emitter';
import type { SignalingClient, SignalingRejection } from '../signaling-client';
import { WrongRoomKeyError } from './crypto';
import type { LeaseMirror } from './lease-mirror';
import type { RecordMirror } from './record-mirror';
import { MeshRoomProblem, type MeshRoomEvents, type SignalingStatus } from './options';

export interface SignalingWatchHooks {
  /** This client's session is still the room's current one. */
  readonly current: () => boolean;
  readonly rejected: (r: SignalingRejection) => void;
  /** Whether a room by our name is open under another key changed: check whether we are alone. */
  readonly namesakes: () => void;
}

export class SignalingWatch {
  readonly #events: Emitter<MeshRoomEvents>;
  #status: SignalingStatus = 'offline';
  /** The server says a room by our name is open under another key. */
  #namesakes = false;
  /** What is wrong with the room now (wrong key, duplicate id, server unreachable), or null. */
  problem: MeshRoomProblem | null = null;

  constructor(events: Emitter<MeshRoomEvents>) {
    this.#events = events;
  }

  get status(): SignalingStatus {
    return this.#status;
  }

  /** Follow a session's signaling client; returns the unsubscribers (the session drops them on close). */
  watch(client: SignalingClient, mirrors: { readonly lease: LeaseMirror; readonly record: RecordMirror }, hooks: SignalingWatchHooks): (() => void)[] {
    this.set('connecting');
    mirrors.lease.bind(client);
    mirrors.record.bind(client);
    return [
      client.on('online', () => {
        if (this.problem === MeshRoomProblem.ServerUnreachable) this.problem = null;
        this.set('connected');
      }),
      client.on('unreachable', () => {
        this.problem ??= MeshRoomProblem.ServerUnreachable;
        this.set('connecting');
      }),
      client.on('offline', () => this.set(hooks.current() ? 'connecting' : 'offline')),
      client.on('rejected', (r) => hooks.rejected(r)),
      client.on('namesakes', ({ present }) => {
        this.#namesakes = present;
        hooks.namesakes();
      }),
    ];
  }

  set(s: SignalingStatus): void {
    if (this.#status === s) return;
    this.#status = s;
    this.#events.emit('signaling', s);
  }

  /**
   * Alone while a namesake room is open: our key is probably wrong (or theirs is); company clears it.
   * True when that problem just arose (the room emits its members: views re-read the problem on that event).
   */
  checkAlone(alone: boolean): boolean {
    if (this.#namesakes && alone && this.problem !== MeshRoomProblem.KeyMismatch) {
      this.problem = MeshRoomProblem.KeyMismatch;
      this.#events.emit('error', new WrongRoomKeyError('wrong room key: a room by this name is open under a different key, and no peer here shares this key'));
      return true;
    }
    if (!alone && this.problem === MeshRoomProblem.KeyMismatch) this.problem = null;
    return false;
  }

  /** A failure of the room or one of its links, reported as an 'error' event. */
  fail(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    if (err instanceof WrongRoomKeyError) this.problem = MeshRoomProblem.WrongKey;
    this.#events.emit('error', err);
  }
}
