// kinetic-peer: a headless peer from the command line. Joins the room, hosts the reactors of the given
// files, persists to a folder (a restart resumes), prints members and activity, and on SIGINT/SIGTERM
// leaves the room and flushes the store before exiting. Every failure a person can cause is one line.
import path from 'node:path';
import { systemClock } from '../../core/clock';
import type { JoinedRoom } from '../../join/types';
import { resolveTarget } from '../../join/assemble';
import { joinRoom } from '../join';
import { USAGE, UsageError, parsePeerArgs } from './args';
import { loadReactorFiles } from './reactors-file';
import { describeMembers, reportActivity } from './report';

export interface PeerCliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly cwd: string;
  readonly version: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  readonly stopSignal: Promise<string>;
}

/** The signaling server (--signal, else the link's host as ws(s)://host/signal); a link that is none, or names no server, is a usage error. */
function serverOf(link: string, signal: string | undefined): string {
  let fromLink: string | null;
  try {
    fromLink = resolveTarget(link).signalingUrl;
  } catch {
    throw new UsageError(`"${link}" is not a room link (expected https://host/#room=<name>&key=<secret>)`);
  }
  const server = signal ?? fromLink;
  if (!server) throw new UsageError(`"${link}" names no signaling server: use an http(s)://host/#room=… link, or --signal ws(s)://host/signal`);
  return server;
}

/** Run the CLI; resolves with the exit code once the peer has left (or failed to start). */
export async function runPeerCli(argv: readonly string[], io: PeerCliIo): Promise<number> {
  let joined: JoinedRoom | null = null;
  try {
    const config = parsePeerArgs(argv);
    if (config.help) return (io.out(USAGE), 0);
    if (config.version) return (io.out(`kinetic-peer ${io.version}`), 0);
    const { reactors, onJoin } = await loadReactorFiles(config.reactorFiles, io.cwd);
    const server = serverOf(config.link, config.signal);
    const say = config.quiet ? () => undefined : io.out;
    joined = await joinRoom(config.link, {
      reactors,
      name: config.name,
      newHistory: config.newHistory,
      data: path.resolve(io.cwd, config.data ?? '.kinetic-mesh'),
      ...(config.signal ? { signalingUrl: config.signal } : {}),
      onError: (e) => io.err(`kinetic-peer: ${e.message}`),
    });
    say(`kinetic-peer: ${config.name} (${joined.peerId}) hosting ${Object.keys(reactors).join(', ')}; connecting…`);
    const stopReport = reportActivity(joined, say, systemClock, 1000, 5000, server);
    // A failure to connect is reported through onError above; here only the success is announced.
    joined.connected.then(
      () => say(`kinetic-peer: in the room. ${describeMembers(joined?.members() ?? [])}`),
      () => undefined,
    );
    for (const hook of onJoin) await hook(joined);
    const signal = await io.stopSignal;
    say(`kinetic-peer: ${signal}: leaving the room…`);
    stopReport();
    await joined.close();
    say('kinetic-peer: left; state saved.');
    return 0;
  } catch (e) {
    await joined?.close().catch(() => undefined);
    io.err(`kinetic-peer: ${e instanceof Error ? e.message : String(e)}${e instanceof UsageError ? ' (see kinetic-peer --help)' : ''}`);
    return e instanceof UsageError ? 2 : 1;
  }
}
