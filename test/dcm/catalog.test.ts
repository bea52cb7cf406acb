// Catalog.hostsOf keeps its answer until the catalog changes (affinity asks for every copy that appears):
// every kind of change — a host, an unhost, a peer's announcement, a peer forgotten — must show at once.
import { describe, expect, it } from 'vitest';
import type { ReactorInfo } from '../../src/core/distributed-port';
import { asPeerId, asReactorId } from '../../src/core/ids';
import { Catalog } from '../../src/dcm/catalog';

const info = (id: string): ReactorInfo => ({ id: asReactorId(id), name: id, version: '1.0.0', molecules: [] });
const r = asReactorId('r');

describe('Catalog.hostsOf', () => {
  it('answers from what it remembers until the catalog changes, and every change shows at once', () => {
    const c = new Catalog(asPeerId('me'));
    expect(c.hostsOf(r)).toEqual([]);
    c.host(info('r'));
    expect(c.hostsOf(r)).toEqual(['me']);
    const first = c.hostsOf(r);
    expect(c.hostsOf(r)).toBe(first); // remembered: the same list, not rebuilt
    c.learn(asPeerId('a'), [info('r')]);
    c.learn(asPeerId('b'), [info('other')]);
    expect(c.hostsOf(r)).toEqual(['me', 'a']);
    c.learn(asPeerId('b'), [info('r'), info('other')]);
    expect(c.hostsOf(r)).toEqual(['me', 'a', 'b']);
    c.learn(asPeerId('a'), []);
    expect(c.hostsOf(r)).toEqual(['me', 'b']);
    c.forget(asPeerId('b'));
    expect(c.hostsOf(r)).toEqual(['me']);
    expect(c.unhost(r)).toBe(true);
    expect(c.hostsOf(r)).toEqual([]);
    expect(c.hostsOf(asReactorId('other'))).toEqual([]);
  });

  it('answers right after being asked about many reactor ids nobody hosts (the remembered answers are cleared past a bound)', () => {
    const c = new Catalog(asPeerId('me'));
    c.learn(asPeerId('a'), [info('r')]);
    for (let i = 0; i < 5000; i++) expect(c.hostsOf(asReactorId(`x${i}`))).toEqual([]);
    expect(c.hostsOf(r)).toEqual(['a']);
  });
});
