// A member connected to another kinetic-signal instance: frames to it go through that instance's channel.
import type { ServerFrameBody } from 'kinetic-mesh/protocol';
import type { Member } from '../room-port';
import { serverChannel } from './keys';

/** Publish on a Redis channel (errors go to the instance's error handler). */
export type Publish = (channel: string, text: string) => void;

export class RemoteMember implements Member {
  constructor(
    readonly room: string,
    readonly peer: string,
    readonly instance: string,
    readonly server: string,
    private readonly publish: Publish,
  ) {}

  send(frame: ServerFrameBody): void {
    this.publish(serverChannel(this.server), JSON.stringify({ r: this.room, p: this.peer, f: frame }));
  }

  relay(from: string, data: string | Uint8Array): void {
    const d = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    this.publish(serverChannel(this.server), JSON.stringify({ r: this.room, p: this.peer, from, d }));
  }

  kick(): void {
    this.publish(
      serverChannel(this.server),
      JSON.stringify({ r: this.room, p: this.peer, kick: this.instance }),
    );
  }
}
