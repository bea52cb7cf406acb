// The chat reactor: posts stay for everyone, a direct message is consumed only where `self` matches.
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from '../../src/core/machine';
import type { Machine } from '../../src/core/machine-api';
import { asPeerId } from '../../src/core/ids';
import { chat } from '../../src/reactors/chat';
import { countIn, valuesIn } from './soup';

let machine: Machine;
afterEach(() => machine.dispose());

describe('chat reactor', () => {
  it('join sets self and announces a member; renames keep one member per peer', async () => {
    machine = createMachine({ peerId: asPeerId('ann') });
    const c = machine.load(chat);
    c.emit.join({ name: ' Ann ', at: 1 });
    c.emit.join({ name: 'Annie', at: 2 });
    await machine.idle();
    expect(valuesIn(machine, 'chat', 'self')).toEqual(['ann']);
    expect(valuesIn(machine, 'chat', 'member')).toEqual([{ peer: 'ann', name: 'Annie', at: 2 }]);
  });

  it('posts are stamped with the sender and stay in the soup; text is trimmed, empty text dropped', async () => {
    machine = createMachine({ peerId: asPeerId('ann') });
    const c = machine.load(chat);
    c.emit.say({ id: 'm1', name: 'Ann', text: ' <b>hello</b> ', at: 5 });
    c.emit.say({ id: 'm2', name: 'Ann', text: '   ', at: 6 });
    await machine.idle();
    expect(valuesIn(machine, 'chat', 'post')).toEqual([{ id: 'm1', from: 'ann', name: 'Ann', text: '<b>hello</b>', at: 5 }]);
  });

  it('a direct message to another peer is not consumed here; one addressed to this peer lands in the inbox', async () => {
    machine = createMachine({ peerId: asPeerId('ann') });
    const c = machine.load(chat);
    c.emit.join({ name: 'Ann', at: 1 });
    c.emit.whisper({ id: 'd1', name: 'Ann', to: 'bob', text: 'psst', at: 2 });
    c.emit.direct({ id: 'd2', from: 'bob', name: 'Bob', to: 'ann', text: 'hi ann', at: 3 });
    await machine.idle();
    expect(valuesIn(machine, 'chat', 'sent')).toEqual([{ id: 'd1', from: 'ann', name: 'Ann', to: 'bob', text: 'psst', at: 2 }]);
    expect(valuesIn(machine, 'chat', 'direct')).toEqual([{ id: 'd1', from: 'ann', name: 'Ann', to: 'bob', text: 'psst', at: 2 }]);
    expect(valuesIn(machine, 'chat', 'inbox')).toEqual([{ id: 'd2', from: 'bob', name: 'Bob', to: 'ann', text: 'hi ann', at: 3 }]);
    expect(countIn(machine, 'chat', 'direct')).toBe(1);
  });
});
