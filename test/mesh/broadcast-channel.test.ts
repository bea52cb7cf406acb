// broadcast-channel through the shared acceptance suite, on Node's BroadcastChannel (same semantics as a
// browser's: per-origin there, per-process here), plus the key proof.
import { describe, expect, it } from 'vitest';
import { asPeerId } from '../../src/core/ids';
import { createBroadcastChannelTransport } from '../../src/mesh/broadcast-channel';
import { createRoomCipher, WrongRoomKeyError } from '../../src/mesh/room/crypto';
import { runTransportTests, until } from '../../src/mesh/testing/transport-suite';

let roomNo = 0;

runTransportTests('broadcast-channel', () => {
  const roomHash = `bc-room-${++roomNo}`;
  const cipher = createRoomCipher(roomHash, 'key', 1000);
  return Promise.resolve({
    create: (n) => Promise.resolve(Array.from({ length: n }, (_, i) => createBroadcastChannelTransport({ self: asPeerId(`t${i}`), roomHash, cipher }))),
    cleanup: () => Promise.resolve(),
  });
});

describe('broadcast-channel key proof', () => {
  it('refuses a tab whose hello is sealed with another key', async () => {
    const roomHash = `bc-keys-${++roomNo}`;
    const good = createBroadcastChannelTransport({ self: asPeerId('good'), roomHash, cipher: createRoomCipher(roomHash, 'right', 1000) });
    const bad = createBroadcastChannelTransport({ self: asPeerId('bad'), roomHash, cipher: createRoomCipher(roomHash, 'wrong', 1000) });
    const errors: Error[] = [];
    good.on('error', (e) => errors.push(e));
    bad.on('error', (e) => errors.push(e));
    await good.connect();
    await bad.connect();
    await until(() => errors.length >= 1, 2000, 'a wrong-key error');
    expect(errors[0]).toBeInstanceOf(WrongRoomKeyError);
    expect(good.peers()).toEqual([]);
    expect(bad.peers()).toEqual([]);
    await good.disconnect();
    await bad.disconnect();
  });
});
