// Test page for e2e/join.spec.ts: the one-call join exactly as an app writes it (kinetic-mesh/webrtc's
// joinRoom with the example counter), driven through `window.join`.
import { counter } from '../src/reactors/index';
import { joinRoom } from '../src/webrtc';
import type { JoinedRoom } from '../src/join/types';

let room: JoinedRoom<{ counter: typeof counter }> | null = null;
const joined = (): JoinedRoom<{ counter: typeof counter }> => {
  if (!room) throw new Error('not joined');
  return room;
};

const join = {
  async join(name: string): Promise<string> {
    room = await joinRoom(location.href, { reactors: { counter }, name, newHistory: true }); // the test's pages create the room
    room.emit.counter.count(0); // every peer seeds 0; merge folds the copies
    await room.connected;
    return room.peerId;
  },
  incr: (n: number): void => {
    for (let i = 0; i < n; i++) joined().emit.counter.incr();
  },
  read: (): Promise<number> => joined().emit.counter.read(undefined, { timeoutMs: 3000 }),
  members: (): string[] => joined().members().map((m) => m.name),
  links: (): string[] => joined().members().flatMap((m) => (m.isSelf ? [] : [m.link])),
  close: (): Promise<void> => joined().close(),
};

(window as unknown as { join: typeof join }).join = join;
