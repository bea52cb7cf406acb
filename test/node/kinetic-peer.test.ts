// kinetic-peer in-process (runPeerCli with its signal injected): it joins, hosts the reactors of a file,
// prints members and activity, leaves on the stop signal with exit code 0, and a restart on the same data
// folder resumes as the same peer. Usage mistakes are one line and exit code 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/src/index';
import type { BlockingMolecule, Molecule } from '../../src/core/molecule';
import type { ReactorDefinition } from '../../src/core/reactor';
import { runPeerCli } from '../../src/node/cli/main';
import { joinRoom } from '../../src/node/join';

const src = path.resolve(import.meta.dirname, '../../src/index.ts');
const counterSource = `import { reactor } from ${JSON.stringify(src)};
export const counter = reactor({ name: 'cli-counter', version: '1.0.0' }, (r) => {
  const count = r.molecule('count', { distributed: true });
  const incr = r.molecule('incr', { distributed: true });
  const read = r.blocking('read', { distributed: true });
  r.react('incr', [count, incr], ([n], out) => out(count, n + 1));
  r.react('merge', [count, count], ([a, b], out) => out(count, a + b));
  r.react('read', [count, read], ([n, call], out) => { out(count, n); call.reply(n); });
  return { count, incr, read };
});
export function onJoin(joined) { joined.emit.counter.count(0); }
`;
// The consumer uses the very same definition (a reactor's id hashes its reactions' source), typed here.
type CounterDefinition = ReactorDefinition<{ count: Molecule<number>; incr: Molecule; read: BlockingMolecule<void, number> }>;
let server: SignalingServer | null = null;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-peer-cli-'));
afterEach(async () => {
  await server?.close();
  server = null;
});

function startCli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (s: string) => void = () => undefined;
  const stopSignal = new Promise<string>((resolve) => (stop = resolve));
  const exit = runPeerCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd: dir, version: '0.0.0-test', stopSignal });
  return { out, err, exit, stop };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('kinetic-peer', () => {
  it('hosts a file of reactors, reports, leaves cleanly, and resumes from its folder', async () => {
    fs.writeFileSync(path.join(dir, 'reactors.mjs'), counterSource);
    server = createSignalingServer({ port: 0, limits: { leaseTtlMs: 600 } });
    await server.ready;
    const link = `http://127.0.0.1:${server.address().port}/#room=cli-test&key=cli-key`;
    const argv = [link, '--name', 'bot', '--reactors', './reactors.mjs', '--data', './bot-data', '--new-history'];
    const bot = startCli(argv);
    await until(() => bot.out.some((l) => l.includes('in the room')), 10_000, 'the bot to join');
    const peerId = /\((\w+)\) hosting counter/.exec(bot.out.join('\n'))?.[1];
    expect(peerId).toBeTruthy();

    const { counter } = (await import(path.join(dir, 'reactors.mjs'))) as { counter: CounterDefinition };
    const user = await joinRoom(link, { remote: { counter }, data: path.join(dir, 'user-data'), name: 'user' });
    await user.connected;
    for (let i = 0; i < 3; i++) user.emit.counter.incr();
    let value = -1;
    const end = Date.now() + 10_000;
    while (value !== 3 && Date.now() < end) value = await user.emit.counter.read(undefined, { timeoutMs: 2000 }).catch(() => -1);
    expect(value).toBe(3);
    await until(() => bot.out.some((l) => l.startsWith('members (2): bot (you), user')), 5000, 'the member list');
    await until(() => bot.out.some((l) => l.startsWith('activity:') && l.includes('counter.incr')), 5000, 'activity');

    bot.stop('SIGTERM');
    expect(await bot.exit).toBe(0);
    expect(bot.out.at(-1)).toMatch(/left; state saved/);
    expect(bot.err).toEqual([]);

    const again = startCli(argv);
    await until(() => again.out.some((l) => l.includes('in the room')), 10_000, 'the restarted bot');
    expect(again.out.join('\n')).toContain(`(${peerId}) hosting counter`);
    value = -1;
    const end2 = Date.now() + 10_000;
    while (value !== 3 && Date.now() < end2) value = await user.emit.counter.read(undefined, { timeoutMs: 2000 }).catch(() => -1);
    expect(value).toBe(3);
    again.stop('SIGINT');
    expect(await again.exit).toBe(0);
    await user.close();
  }, 60_000);

  it('without --new-history it only joins: alone in a fresh room it says it waits for the history, and starts none', async () => {
    fs.writeFileSync(path.join(dir, 'reactors.mjs'), counterSource);
    server = createSignalingServer({ port: 0, limits: { leaseTtlMs: 600 } });
    await server.ready;
    const link = `http://127.0.0.1:${server.address().port}/#room=cli-wait&key=cli-key`;
    const bot = startCli([link, '--name', 'joiner', '--reactors', './reactors.mjs', '--data', './joiner-data']);
    await until(() => bot.out.some((l) => /^waiting for the room[’']s history/i.test(l) && l.includes('--new-history')), 15_000, 'the waiting notice');
    bot.stop('SIGTERM');
    expect(await bot.exit).toBe(0);
    expect(bot.err).toEqual([]);
  }, 30_000);

  it('says so when the signaling server cannot be reached (not only that it waits for the history)', async () => {
    fs.writeFileSync(path.join(dir, 'reactors.mjs'), counterSource);
    const gone = createSignalingServer({ port: 0 });
    await gone.ready;
    const port = gone.address().port;
    await gone.close();
    const bot = startCli([`http://127.0.0.1:${port}/#room=cli-nowhere&key=k`, '--reactors', './reactors.mjs', '--data', './nowhere-data']);
    await until(() => bot.out.some((l) => l.startsWith('cannot reach the signaling server at ws://127.0.0.1:')), 15_000, 'the unreachable-server line');
    expect(bot.out.some((l) => /history/i.test(l))).toBe(false);
    bot.stop('SIGTERM');
    expect(await bot.exit).toBe(0);
  }, 30_000);

  it('answers usage mistakes in one line with exit code 2', async () => {
    fs.writeFileSync(path.join(dir, 'reactors.mjs'), counterSource);
    for (const [argv, message] of [
      [['--bogus'], /Unknown option '--bogus' \(see/],
      [[], /missing the room link/],
      [['http://h/#room=a&key=b'], /missing --reactors/],
      [['http://h/#room=a&key=b', '--reactors', './nope.js'], /no such file/],
      [['notalink', '--reactors', './reactors.mjs'], /"notalink" is not a room link/],
      [['http://h/#room=a&key=b', '--reactors', './reactors.mjs', '--name', '-bot'], /^kinetic-peer: --name needs a value \(one starting with '-' is written --name=-…\) \(see/],
      [['#room=a&key=b', '--reactors', './reactors.mjs'], /names no signaling server: .* or --signal/],
    ] as const) {
      const run = startCli([...argv]);
      expect(await run.exit).toBe(2);
      expect(run.err).toHaveLength(1);
      expect(run.err[0]).toMatch(message);
    }
    const help = startCli(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.out[0]).toMatch(/^usage: kinetic-peer/);
  });
});
