// Red team on CPU optimisations of the hot path: each shortcut must keep what the slow path guaranteed
// for values a hostile peer (or just odd user data) chooses.
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import { cloneValue } from '../../src/store/clone';
import { room3 } from './harness';

const reactor = asReactorId('r');

describe('attack: the memory store copies values with a JS walk (cloneValue)', () => {
  it('an own "__proto__" key (JSON.parse makes one from a peer\'s value) is copied as data, never as the copy\'s prototype', () => {
    const value = JSON.parse('{"__proto__":{"admin":true},"b":2}') as Record<string, unknown>;
    const copy = cloneValue(value);
    expect(Object.keys(copy)).toEqual(['__proto__', 'b']);
    expect((copy as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
    const nested = JSON.parse('[{"x":{"__proto__":{"polluted":1}}}]') as unknown;
    expect(JSON.stringify(cloneValue(nested))).toBe(JSON.stringify(nested));
  });

  it('a replica that restarts from its memory store holds the same value as the others', async () => {
    const { w, peers, replicas } = await room3(5);
    const by = peers[0]!;
    const value = JSON.parse('{"__proto__":{"admin":true},"note":"hi"}') as unknown;
    by.room.emit(reactor, 'n', value);
    await w.run(500);
    const victim = replicas[0]!;
    const want = JSON.stringify(peers.map((p) => p.room.peek(reactor, 'n').map((m) => m.value))[0]);
    // The victim restarts: its replica comes back from what its store copied.
    victim.alive = false;
    victim.transport.crash();
    const again = w.honest(victim.id, victim.backing);
    await again.room.start();
    await again.transport.connect();
    await w.run(800);
    const got = again.room.peek(reactor, 'n').map((m) => m.value as Record<string, unknown>);
    expect(JSON.stringify(got)).toBe(want);
    expect(got[0] && (got[0] as { admin?: unknown }).admin).toBeUndefined();
  });
});
