// The debug log fills a message's %s / %d placeholders (the namespace used to come first, so Node printed
// "joined as %s with %d peers abc 3").
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../src/core/log';

describe('logger', () => {
  const before = process.env['DEBUG'];
  afterEach(() => {
    if (before === undefined) delete process.env['DEBUG'];
    else process.env['DEBUG'] = before;
    vi.restoreAllMocks();
  });

  it('puts the namespace into a leading message so placeholders apply, and prints nothing when off', () => {
    const printed: unknown[][] = [];
    vi.spyOn(console, 'debug').mockImplementation((...args: unknown[]) => void printed.push(args));
    process.env['DEBUG'] = 'kinetic:t*';
    logger('kinetic:test')('joined as %s with %d peers', 'abc', 3);
    logger('kinetic:test')({ a: 1 });
    logger('kinetic:other')('not printed');
    expect(printed).toEqual([['kinetic:test joined as %s with %d peers', 'abc', 3], ['kinetic:test', { a: 1 }]]);
  });
});
