// A member of ours whose join is still in Redis. This instance reads the join script's reply on one Redis
// connection and frames other instances route to its members on another, so a peer on another instance can
// answer the published join (greet the newcomer) before the reply is read here. Dropped, that greeting left
// the two peers unlinked for good; held, it follows the newcomer's `joined`.
import type { ServerFrameBody } from 'kinetic-mesh/protocol';
import type { Member } from '../room-port';

/** Frames held for one member while its join is in Redis (a join takes milliseconds; this bounds a stalled one). */
const MAX_HELD_FRAMES = 1024;

export class HeldMember implements Member {
  readonly #waiting: Array<(m: Member) => void> = [];

  constructor(readonly member: Member) {}

  get peer(): string {
    return this.member.peer;
  }

  get instance(): string {
    return this.member.instance;
  }

  send(frame: ServerFrameBody): void {
    // Not the lease as it was: the join's reply sends the lease as it is.
    if (frame.type !== 'lease') this.#hold((m) => m.send(frame));
  }

  relay(from: string, data: string | Uint8Array): void {
    this.#hold((m) => m.relay(from, data));
  }

  kick(): void {
    this.#waiting.length = 0;
    this.member.kick();
  }

  /** The join went through and `joined` is sent: hand over what waited, in order. */
  deliver(): void {
    for (const d of this.#waiting.splice(0)) d(this.member);
  }

  #hold(deliver: (m: Member) => void): void {
    if (this.#waiting.length < MAX_HELD_FRAMES) this.#waiting.push(deliver);
  }
}
