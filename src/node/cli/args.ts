// kinetic-peer's command line: `kinetic-peer '<room link>' --reactors ./my-reactors.js [--name bot] [--data ./dir]
// [--signal ws://host/signal] [--quiet]`. A mistake is a UsageError with a one-line message.
import { parseArgs } from 'node:util';

export const USAGE = `usage: kinetic-peer '<room link>' --reactors ./my-reactors.js [options]

Joins the room as a headless peer, hosts the reactors the file exports, keeps the room's state in a folder
(a restart resumes as the same peer), and prints members and activity. Ctrl-C leaves the room cleanly.

  <room link>           https://host/#room=<name>&key=<secret> (the signaling server defaults to the link's host)
  --reactors <file>     an ES module exporting reactor definitions (repeatable); it may also export
                        onJoin(joined), called once the peer has joined
  --name <name>         the name other peers see (default: kinetic-peer)
  --data <dir>          where the room's state lives (default: ./.kinetic-mesh)
  --signal <url>        ws(s)://host/signal, when the link does not name the server
  --new-history         this peer creates the room: it may start the room's history when nobody holds
                        one (without it, it only joins the history there is and waits for it)
  --quiet               print only errors
  -h, --help            this text
  -v, --version         the version`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface PeerCliConfig {
  readonly link: string;
  readonly reactorFiles: readonly string[];
  readonly name: string;
  readonly data: string | undefined;
  readonly signal: string | undefined;
  readonly quiet: boolean;
  /** --new-history: this peer creates the room (may start its history). */
  readonly newHistory: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export function parsePeerArgs(argv: readonly string[]): PeerCliConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        reactors: { type: 'string', multiple: true },
        name: { type: 'string' },
        data: { type: 'string' },
        signal: { type: 'string' },
        quiet: { type: 'boolean' },
        'new-history': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    // parseArgs's advice about '--' (for a positional starting with '-') does not fit a room link; keep its first
    // sentence. A value that starts with '-' (`--name -bot`) is "ambiguous" to it: say what to write instead.
    const message = e instanceof Error ? e.message : String(e);
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
    throw new UsageError(ambiguous ? `${ambiguous[1]} needs a value (one starting with '-' is written ${ambiguous[1]}=-…)` : message.replace(/\. To specify a positional[\s\S]*$/, ''));
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  const version = values.version ?? false;
  if (!help && !version) {
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one room link, got ${positionals.length} arguments` : 'missing the room link');
    if (!values.reactors?.length) throw new UsageError('missing --reactors <file> (the reactors this peer hosts)');
    if (values.signal !== undefined && !/^wss?:\/\//.test(values.signal)) throw new UsageError(`--signal must be a ws:// or wss:// URL, got "${values.signal}"`);
  }
  return {
    link: positionals[0] ?? '',
    reactorFiles: values.reactors ?? [],
    name: values.name?.trim() || 'kinetic-peer',
    data: values.data,
    signal: values.signal,
    quiet: values.quiet ?? false,
    newHistory: values['new-history'] ?? false,
    help,
    version,
  };
}
