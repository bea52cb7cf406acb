// A distributed counter (Chymyst chapter 1, made distributed): `count(n) + incr → count(n + 1)`, with the
// `count` molecule living in the room, so a button in any tab moves the same number.
//
// The classic form needs exactly one `count` in the room, and no peer can know whether it is the first
// (it may be offline, or its replica not caught up yet). So every peer seeds `count(0)` when it loads the
// reactor (see `seed` in ./index.ts) and `merge` folds copies together: 0 is the identity of +, so the sum
// over all copies is always the true value, and after the merges settle exactly one copy is left.
// Increments that raced onto different copies are all kept, because merging adds them up.
import { reactor } from '../core/reactor';

export const counter = reactor({ name: 'counter', version: '1.0.0', module: import.meta.url }, (r) => {
  const count = r.molecule<number>('count', { distributed: true });
  const incr = r.molecule('incr', { distributed: true });
  const decr = r.molecule('decr', { distributed: true });
  const read = r.blocking<void, number>('read');

  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  r.react('decr', [count, decr], ([n], out) => out(count, n - 1));
  r.react('merge', [count, count], ([a, b], out) => out(count, a + b));
  // A read claims the count like an increment does, so it returns a value some commit really had.
  r.react('read', [count, read], ([n, call], out) => {
    out(count, n);
    call.reply(n);
  });

  return { count, incr, decr, read };
});
