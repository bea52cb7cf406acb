// The todo reactor on one machine (a room of one): every op, and the races the tombstone settles.
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from '../../src/core/machine';
import type { Machine } from '../../src/core/machine-api';
import { asPeerId } from '../../src/core/ids';
import { todo, type TodoItem } from '../../src/reactors/todo';
import { countIn, valuesIn } from './soup';

let machine: Machine;
afterEach(() => machine.dispose());

const items = (): TodoItem[] => (valuesIn(machine, 'todo', 'item') as TodoItem[]).sort((a, b) => a.at - b.at);

describe('todo reactor', () => {
  it('adds, edits, marks and removes items; author is the adding peer', async () => {
    machine = createMachine({ peerId: asPeerId('ann') });
    const t = machine.load(todo);
    t.emit.add({ id: '1', text: '  buy milk ', at: 1 });
    t.emit.add({ id: '2', text: 'walk dog', at: 2 });
    t.emit.add({ id: '3', text: '   ', at: 3 });
    await machine.idle();
    expect(items()).toEqual([
      { id: '1', text: 'buy milk', done: false, at: 1, by: 'ann' },
      { id: '2', text: 'walk dog', done: false, at: 2, by: 'ann' },
    ]);

    t.emit.edit({ id: '1', text: 'buy oat milk' });
    t.emit.mark({ id: '2', done: true });
    t.emit.mark({ id: '2', done: true }); // a second peer ticking the same box agrees rather than cancelling
    await machine.idle();
    expect(items().map((i) => [i.text, i.done])).toEqual([
      ['buy oat milk', false],
      ['walk dog', true],
    ]);

    t.emit.remove({ id: '2' });
    await machine.idle();
    expect(items().map((i) => i.id)).toEqual(['1']);
    expect(countIn(machine, 'todo', 'gone')).toBe(1);
  });

  it('an op that loses the race against a removal is absorbed by the tombstone, not left waiting', async () => {
    machine = createMachine({ peerId: asPeerId('ann') });
    const t = machine.load(todo);
    t.emit.add({ id: '1', text: 'x', at: 1 });
    await machine.idle();
    t.emit.remove({ id: '1' });
    await machine.idle();
    t.emit.edit({ id: '1', text: 'late edit' });
    t.emit.mark({ id: '1', done: true });
    t.emit.remove({ id: '1' });
    await machine.idle();
    expect(items()).toEqual([]);
    for (const op of ['edit', 'mark', 'remove']) expect(countIn(machine, 'todo', op)).toBe(0);
  });

  it('keeps every one of many concurrent adds', async () => {
    machine = createMachine({ peerId: asPeerId('ann') });
    const t = machine.load(todo);
    for (let i = 0; i < 200; i++) t.emit.add({ id: `id${i}`, text: `item ${i}`, at: i });
    await machine.idle();
    expect(items()).toHaveLength(200);
  });
});
