// A key holder forging the sequencer's "claimed" hints (soft state that keeps peers from reaching for copies
// someone holds): before, a replica believed a hint from any peer, so one tab repeating "every copy is taken"
// every few seconds hid every copy from every honest peer. Now only the sequencer a peer follows is heard.
// Likewise a "fresh" notice (an emitter telling a host its copy is on the way) is taken only from the emitter
// of that copy: made-up ones filled the host's fresh table and sent its claims after copies that never come.
import { describe, expect, it } from 'vitest';
import { asReactorId } from '../../src/core/ids';
import { MAX_CATALOG_REACTORS } from '../../src/dcm/messages';
import { room3 } from './harness';

const reactor = asReactorId('r');

describe('attack: forged "claimed" hints', () => {
  it('a hint from a peer that is not the sequencer hides nothing', async () => {
    const { w, replicas, x } = await room3(31);
    const [victim] = replicas;
    // The victim hosts the reactor (so it is the copy's preferred host and reaches for it at once).
    victim!.room.host({ id: reactor, name: 'r', version: '1', molecules: [{ name: 'n', kind: 'molecule', distributed: true, static: false }] });
    victim!.room.emit(reactor, 'n', 'one');
    await w.run(300);
    const copy = victim!.room.peek(reactor, 'n')[0];
    expect(copy).toBeDefined();
    const offered = (): string[] => [...victim!.room.available(reactor, 'n')].map((m) => m.id);
    expect(offered()).toContain(copy!.id);
    const { epoch } = victim!.room.status();
    for (const e of [epoch, epoch + 1, 2 ** 40]) x.send(victim!.id, { v: 1, type: 'claimed', epoch: e, ids: [copy!.id], taken: true });
    await w.run(50);
    expect(offered()).toContain(copy!.id);
    // The copy is still taken by the honest peer at once.
    const grant = await victim!.room.claim(reactor, 'take', [copy!.id]);
    expect(grant).not.toBeNull();
    const done = victim!.room.commit(grant!, []);
    await w.run(300);
    expect(await done).toBe(true);
  });
});

describe('attack: forged "fresh" notices', () => {
  it('a notice for a copy that is not the sender\'s own emission is refused and counted, and nothing is claimed for it', async () => {
    const { w, replicas, sequencer, x } = await room3(32);
    const [victim] = replicas;
    victim!.room.host({ id: reactor, name: 'r', version: '1', molecules: [{ name: 'n', kind: 'molecule', distributed: true, static: false }] });
    const { epoch } = victim!.room.status();
    const before = victim!.room.status().invalidMessages;
    // Under another peer's source, and under a made-up id: neither is x's own emission.
    for (const id of [`${sequencer.id}~abc:7`, 'not-an-emission'])
      x.send(victim!.id, { v: 1, type: 'fresh', epoch, leader: sequencer.id, molecule: { id, reactor, name: 'n', value: 1 } });
    await w.run(50);
    expect(victim!.room.status().invalidMessages - before).toBe(2);
    expect([...victim!.room.available(reactor, 'n')]).toEqual([]);
  });
});

describe('attack: an oversized catalog', () => {
  it('a catalog of more than MAX_CATALOG_REACTORS reactors is refused and counted; one within it is learned', async () => {
    const { w, replicas, x } = await room3(33);
    const [victim] = replicas;
    const info = (i: number) => ({ id: `x-r${i}`, name: `r${i}`, version: '1', molecules: [{ name: 'n', kind: 'molecule', distributed: true, static: false }] });
    const before = victim!.room.status().invalidMessages;
    x.send(victim!.id, { v: 1, type: 'catalog', reactors: Array.from({ length: MAX_CATALOG_REACTORS + 1 }, (_, i) => info(i)) });
    await w.run(50);
    expect(victim!.room.status().invalidMessages - before).toBe(1);
    expect(victim!.room.catalog().some((c) => c.hostedBy.includes(x.id))).toBe(false);
    x.send(victim!.id, { v: 1, type: 'catalog', reactors: [info(0)] });
    await w.run(50);
    expect(victim!.room.catalog().find((c) => c.info.id === 'x-r0')?.hostedBy).toContain(x.id);
  });
});
