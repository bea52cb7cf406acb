// Chymyst's broadcast on one peer: heard once, answered to the driver, peer removal.
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from '../../src/core/machine';
import type { Machine } from '../../src/core/machine-api';
import { asPeerId } from '../../src/core/ids';
import { broadcast } from '../../src/reactors/broadcast';
import { countIn, valuesIn } from './soup';

let machine: Machine;
afterEach(() => machine.dispose());

describe('broadcast reactor', () => {
  it('a peer hears the broadcast once, puts it back, and the driver learns of it', async () => {
    machine = createMachine({ peerId: asPeerId('driver') });
    const b = machine.load(broadcast);
    b.emit.peers([]);
    b.emit.see();
    b.emit.message('roll call');
    b.emit.message('roll call'); // extra copies only add throughput; still heard once
    await machine.idle();
    expect(valuesIn(machine, 'broadcast', 'heard')).toEqual(['roll call']);
    expect(countIn(machine, 'broadcast', 'broadcast')).toBe(2);
    expect(await b.emit.list(undefined, { timeoutMs: 1000 })).toEqual(['driver']);
    b.emit.leave('driver');
    await machine.idle();
    expect(await b.emit.list(undefined, { timeoutMs: 1000 })).toEqual([]);
  });
});
