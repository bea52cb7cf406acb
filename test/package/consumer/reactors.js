// The reactors the packed-tarball test hosts with `npx kinetic-peer` (plain JavaScript, as a user writes it).
import { reactor } from 'kinetic-mesh';

// A distributed counter every peer seeds with count(0); merge folds the copies into one.
export const counter = reactor({ name: 'tarball-counter', version: '1.0.0' }, (r) => {
  const count = r.molecule('count', { distributed: true });
  const incr = r.molecule('incr', { distributed: true });
  const read = r.blocking('read', { distributed: true });
  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  r.react('merge', [count, count], ([a, b], out) => out(count, a + b));
  r.react('read', [count, read], ([n, call], out) => {
    out(count, n);
    call.reply(n);
  });
  return { count, incr, read };
});

// Direct messages: a letter carries its addressee; only the peer whose `me` matches can take it.
export const letters = reactor({ name: 'tarball-letters', version: '1.0.0' }, (r) => {
  const letter = r.molecule('letter', { distributed: true });
  const me = r.latched('me');
  const hello = r.molecule('hello');
  const inbox = r.molecule('inbox');
  r.react('hello', [hello], (_, out, ctx) => out(me, ctx.peer));
  r.react('deliver', [letter, me], ([l], out) => out(inbox, l), { guard: ([l, self]) => l.to === self });
  return { letter, me, hello, inbox };
});

/** kinetic-peer calls this once joined: seed the counter, say who we are, print letters as they arrive. */
export function onJoin(joined) {
  joined.emit.counter.count(0);
  joined.emit.letters.hello();
  joined.machine.on('emitted', (e) => {
    if (e.molecule === 'inbox') console.log(`letter for ${joined.peerId}: ${e.value.text}`);
  });
}
