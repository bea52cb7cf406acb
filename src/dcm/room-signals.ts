// What the parts of one distributed room tell each other. The room is assembled bottom-up — each part is
// constructed with the parts it calls — and the few calls that go the other way (the log telling the
// requester an entry was applied, a message this peer sends itself reaching the dispatcher, a store failure
// stopping the room) are signals here, subscribed once every part exists (see room.ts).
import { Emitter } from '../core/emitter';
import type { Epoch } from '../core/ids';
import type { Entry } from './entries';
import type { Message } from './messages';
import type { AppliedEntry } from './replica';

// A type alias (not an interface) so it satisfies Emitter's Record<string, unknown> constraint.
export type RoomSignalMap = {
  /** The replicated log applied a committed entry. */
  applied: AppliedEntry;
  /** A snapshot replaced the committed state. */
  installed: undefined;
  /** Entries joined the uncommitted tail (`truncated`: part of it was cut first). */
  tail: { readonly entries: readonly Entry[]; readonly truncated: boolean };
  /** A sequencer to send to is known anew (we serve a term, or follow a new one): resend, look again. */
  leader: undefined;
  /** A message this peer sent itself (delivered on a microtask). */
  local: Message;
  /** An epoch reported by a peer, bounded (roles step down from an older term). */
  epoch: Epoch;
  /** The replica must stop itself (fail-stop): a store write failed, or another history of the room met ours. */
  halt: { readonly reason: string; readonly error: Error };
};

export class RoomSignals extends Emitter<RoomSignalMap> {}
