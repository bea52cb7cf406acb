// No value can crash a peer: the limits refuse deep, huge, cyclic and non-JSON values at the emitter (a clear
// error, nothing queued) and on receipt (the message fails validation); the send path never throws.
import { describe, expect, it } from 'vitest';
import { createMachine, reactor, ValueLimitError, valueProblem } from '../../src/core';
import type { DistributedPort } from '../../src/core/distributed-port';
import { createSinglePeerPort } from '../../src/core/single-peer-port';
import { asPeerId } from '../../src/core/ids';
import { parseMessage } from '../../src/dcm/messages';
import { FramedSender } from '../../src/mesh/framing';
import { LinkTable } from '../../src/mesh/link-table';

/** `[[[…]]]` nested `depth` deep, built without recursion. */
export function deepValue(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

const cyclic = (): unknown => {
  const o: Record<string, unknown> = { a: 1 };
  o['self'] = o;
  return o;
};

describe('valueProblem', () => {
  it('accepts ordinary application values', () => {
    expect(valueProblem(undefined)).toBeNull();
    expect(valueProblem({ title: 'buy milk', done: false, tags: ['a', 'b'], n: 3.5, nested: deepValue(60) })).toBeNull();
    expect(valueProblem('é'.repeat(512 * 1024))).toBeNull();
  });

  it('refuses deep, cyclic, huge and non-JSON values with a reason, without overflowing the stack', () => {
    expect(valueProblem(deepValue(20_000))).toMatch(/nested deeper than 64/);
    expect(valueProblem(cyclic())).toMatch(/cyclic/);
    expect(valueProblem(new Array(300_000).fill(1))).toMatch(/more than 200000 values/);
    expect(valueProblem({ s: 'x'.repeat(17 * 1024 * 1024) })).toMatch(/characters/);
    expect(valueProblem({ n: 10n })).toMatch(/BigInt/);
    expect(valueProblem([() => 1])).toMatch(/function/);
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(valueProblem(hostile)).toMatch(/cannot be read/);
  });
});

describe('the emitter refuses a value that cannot travel', () => {
  const def = reactor({ name: 'limits', version: '1' }, (r) => {
    const item = r.molecule<unknown>('item', { distributed: true });
    const ask = r.blocking<unknown, number>('ask', { distributed: true });
    r.react('answer', [ask], ([call]) => void call.reply(1));
    return { item, ask };
  });

  it('throws ValueLimitError at emit (and rejects a call) with nothing queued', async () => {
    const emitted: unknown[] = [];
    const port = createSinglePeerPort(asPeerId('p'));
    const counting: DistributedPort = {
      ...port,
      emit: (reactor, name, value) => {
        emitted.push(value);
        port.emit(reactor, name, value);
      },
    };
    const machine = createMachine({ distributed: counting });
    const loaded = machine.load(def);
    expect(() => loaded.emit.item(deepValue(20_000))).toThrow(ValueLimitError);
    expect(() => loaded.emit.item(cyclic())).toThrow(/cannot emit distributed molecule "item": its value has nested deeper/);
    expect(() => loaded.emit.item({ big: 1n })).toThrow(/BigInt/);
    await expect(loaded.emit.ask(deepValue(20_000))).rejects.toThrow(ValueLimitError);
    expect(emitted).toEqual([]);
    loaded.emit.item({ ok: true });
    expect(emitted).toEqual([{ ok: true }]);
    machine.dispose();
  });
});

describe('receipt', () => {
  const emitOf = (value: unknown): unknown => ({
    v: 1,
    type: 'emit',
    items: [{ source: 's', seq: 0, molecule: { id: 'm1', reactor: 'r1', name: 'item', value } }],
  });

  it('a message carrying a value past the limits fails validation (so it is dropped and counted)', () => {
    // What JSON.parse hands the receiver: the 20,000-deep value of the attack.
    const wire = JSON.parse(`{"v":1,"type":"emit","items":[{"source":"s","seq":0,"molecule":{"id":"m1","reactor":"r1","name":"item","value":${'['.repeat(20_000)}${']'.repeat(20_000)}}}]}`) as unknown;
    expect(parseMessage(wire)).toBeNull();
    expect(parseMessage(emitOf(new Array(300_000).fill(0)))).toBeNull();
    expect(parseMessage(emitOf({ fine: [1, 2, 3] }))).not.toBeNull();
  });
});

describe('the send path never throws', () => {
  const sink = (): { frames: string[]; sink: ConstructorParameters<typeof FramedSender>[0] } => {
    const frames: string[] = [];
    return { frames, sink: { send: (f) => void frames.push(f), bufferedAmount: () => 0, onceDrained: (r) => queueMicrotask(r) } };
  };

  it('FramedSender returns why a value cannot be encoded and queues nothing', () => {
    const { frames, sink: s } = sink();
    const sender = new FramedSender(s);
    expect(sender.send(deepValue(200_000))).toMatch(/RangeError|stack/i);
    expect(sender.send(cyclic())).toMatch(/circular/i);
    expect(sender.send({ n: 1n })).toMatch(/BigInt/);
    expect(sender.send(undefined)).toMatch(/not a JSON value/);
    expect(frames).toEqual([]);
    expect(sender.send({ ok: 1 })).toBeNull();
    expect(frames).toEqual(['m{"ok":1}']);
  });

  it('a link reports the dropped message as an error event and false, never an exception', () => {
    const { frames, sink: s } = sink();
    const table = new LinkTable();
    const errors: Error[] = [];
    table.events.on('error', (e) => errors.push(e));
    const peer = asPeerId('b');
    table.add(peer, s);
    expect(table.send(peer, deepValue(200_000))).toBe(false);
    expect(table.unencodable).toBe(1);
    expect(errors[0]?.message).toMatch(/dropped: it cannot be encoded/);
    expect(table.send(peer, 'next')).toBe(true);
    expect(frames).toEqual(['m"next"']);
  });
});
