// The server's settings from command-line flags and environment variables. Every flag `--foo-bar` has the
// variable `KINETIC_FOO_BAR`, except `--port`/`PORT` and `--host`/`HOST` (what hosts and containers set).
// A flag wins over its variable. Any problem is one line of text (ConfigError), never a stack trace.
import { parseArgs } from 'node:util';
import type { Limits } from './limits';

export class ConfigError extends Error {}

type Kind = 'string' | 'list' | 'int' | 'port' | 'boolean';
interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly kind: Kind;
  readonly help: string;
  readonly fallback?: string;
}

const s = (
  flag: string,
  kind: Kind,
  help: string,
  fallback?: string,
  env = `KINETIC_${flag.toUpperCase().replaceAll('-', '_')}`,
): Setting => ({
  flag,
  env,
  kind,
  help,
  ...(fallback === undefined ? {} : { fallback }),
});

export const SETTINGS: readonly Setting[] = [
  s('port', 'port', 'TCP port (0 = any free port)', '8787', 'PORT'),
  s('host', 'string', 'interface to listen on (0.0.0.0 for all)', '127.0.0.1', 'HOST'),
  s('static', 'string', 'serve this folder (the built app) on the same port, with index.html for app routes'),
  s(
    'allow-origin',
    'list',
    'comma-separated origins allowed to open WebSockets (e.g. https://mesh.example.org); * = any',
    '*',
  ),
  s(
    'stun',
    'list',
    'comma-separated STUN URLs handed to clients (none by default; e.g. stun:stun.example.org:3478)',
  ),
  s(
    'turn',
    'list',
    'comma-separated TURN URLs handed to clients (e.g. turn:turn.example.org:3478?transport=udp)',
  ),
  s(
    'turn-secret',
    'string',
    "shared secret of the TURN server (coturn's static-auth-secret) for expiring credentials",
  ),
  s('turn-ttl', 'int', 'lifetime of a TURN credential, in seconds', '86400'),
  s(
    'ice-transport-policy',
    'string',
    'all | relay (relay: clients link through TURN only, hiding their addresses)',
    'all',
  ),
  s(
    'data',
    'string',
    'folder for the durable room records (lease epoch floors); without it they live in memory',
  ),
  s('redis', 'string', 'redis://… URL: share rooms, leases and room records with other instances through Redis'),
  s('log-level', 'string', 'debug | info | warn | error | silent', 'info'),
  s('max-peers-per-room', 'int', 'peers in one room'),
  s('max-connections', 'int', 'WebSocket connections on this instance'),
  s('max-message-bytes', 'int', 'largest frame accepted'),
  s('messages-per-second', 'int', 'sustained frames per second per connection'),
  s('lease-ttl-ms', 'int', 'leadership lease validity'),
  s('ping-interval-ms', 'int', 'WebSocket ping interval; a socket that misses one is dropped'),
  s('max-connections-per-address', 'int', 'open connections from one remote address'),
  s('joins-per-second-per-address', 'int', 'sustained room joins per second from one remote address'),
  s('loopback-connections-per-address', 'int', 'the same for loopback (a reverse proxy on this host, local tests)'),
  s('loopback-joins-per-second', 'int', 'joins per second from loopback'),
  s('max-room-records', 'int', 'room records kept; the least recently seen closed room is forgotten first'),
  s('room-record-ttl', 'int', 'with --redis: seconds after which a room record nobody touched expires in Redis'),
  s('help', 'boolean', 'print this help'),
  s('version', 'boolean', 'print the version'),
];

const LIMIT_FLAGS = {
  maxPeersPerRoom: 'max-peers-per-room',
  maxConnections: 'max-connections',
  maxMessageBytes: 'max-message-bytes',
  messagesPerSecond: 'messages-per-second',
  leaseTtlMs: 'lease-ttl-ms',
  pingIntervalMs: 'ping-interval-ms',
  maxConnectionsPerAddress: 'max-connections-per-address',
  joinsPerSecondPerAddress: 'joins-per-second-per-address',
  loopbackConnectionsPerAddress: 'loopback-connections-per-address',
  loopbackJoinsPerSecond: 'loopback-joins-per-second',
  maxRoomRecords: 'max-room-records',
  roomRecordTtlSeconds: 'room-record-ttl',
} as const satisfies Partial<Record<keyof Limits, string>>;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly help: boolean;
  readonly version: boolean;
  readonly port: number;
  readonly host: string;
  readonly staticDir?: string;
  readonly dataDir?: string;
  /** Origins allowed to open WebSockets; null = any. */
  readonly allowOrigins: readonly string[] | null;
  readonly redisUrl?: string;
  readonly stun: readonly string[];
  readonly turn: readonly string[];
  readonly turnSecret?: string;
  readonly turnTtlSeconds: number;
  readonly iceTransportPolicy?: 'all' | 'relay';
  readonly logLevel: LogLevel;
  readonly limits: Partial<Limits>;
}

function raw(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
  setting: Setting,
): string | undefined {
  const v = values[setting.flag];
  if (typeof v === 'string') return v;
  const e = env[setting.env];
  return e === undefined || e === '' ? setting.fallback : e;
}

function source(values: Record<string, unknown>, setting: Setting): string {
  return typeof values[setting.flag] === 'string' ? `--${setting.flag}` : setting.env;
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(
      SETTINGS.map((x) => [
        x.flag,
        { type: x.kind === 'boolean' ? ('boolean' as const) : ('string' as const) },
      ]),
    );
    values = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    // parseArgs's messages: keep the first line, less its advice about '--' which does not apply here; a value
    // that starts with '-' (`--port -5`) is "ambiguous" to it, which says nothing to a person.
    const message = String((err as Error).message);
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
    throw new ConfigError(
      ambiguous
        ? `${ambiguous[1]} needs a value (one starting with '-' is written ${ambiguous[1]}=-…)`
        : message.split('\n')[0]!.replace(/\. To specify a positional.*$/, ''),
    );
  }
  const get = new Map<string, string | undefined>(SETTINGS.map((x) => [x.flag, raw(values, env, x)]));
  const setting = (flag: string): Setting => SETTINGS.find((x) => x.flag === flag)!;
  const int = (flag: string, min: number, max: number): number | undefined => {
    const text = get.get(flag);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new ConfigError(
        `${source(values, setting(flag))} must be an integer ${min}–${max}, got "${text}"`,
      );
    }
    return n;
  };
  const list = (flag: string): string[] =>
    (get.get(flag) ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);

  const logLevel = get.get('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      `${source(values, setting('log-level'))} must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`,
    );
  }
  const limits: Partial<Record<keyof Limits, number>> = {};
  for (const [key, flag] of Object.entries(LIMIT_FLAGS)) {
    const n = int(flag, 1, 2 ** 31);
    if (n !== undefined) limits[key as keyof Limits] = n;
  }
  const origins = list('allow-origin');
  for (const o of origins)
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o))
      throw new ConfigError(
        `${source(values, setting('allow-origin'))}: "${o}" is not an origin like https://mesh.example.org`,
      );
  const turn = list('turn');
  const turnSecret = get.get('turn-secret');
  if (turn.length > 0 && !turnSecret)
    throw new ConfigError(
      "--turn needs --turn-secret (KINETIC_TURN_SECRET): the TURN server's static-auth-secret",
    );
  const policy = get.get('ice-transport-policy') ?? 'all';
  if (policy !== 'all' && policy !== 'relay')
    throw new ConfigError(
      `${source(values, setting('ice-transport-policy'))} must be all or relay, got "${policy}"`,
    );
  if (policy === 'relay' && turn.length === 0)
    throw new ConfigError('--ice-transport-policy relay needs --turn: clients would have no way to link');
  const redisUrl = get.get('redis');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError(
      `${source(values, setting('redis'))} must be a redis:// or rediss:// URL, got "${redisUrl}"`,
    );
  const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
    value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
  return {
    help: values['help'] === true,
    version: values['version'] === true,
    port: int('port', 0, 65535)!,
    host: get.get('host')!,
    ...opt('staticDir', get.get('static')),
    ...opt('dataDir', get.get('data')),
    allowOrigins: origins.length === 0 || origins.includes('*') ? null : origins,
    ...opt('redisUrl', redisUrl),
    stun: list('stun'),
    turn,
    ...opt('turnSecret', turnSecret),
    turnTtlSeconds: int('turn-ttl', 60, 7 * 86400)!,
    iceTransportPolicy: policy,
    logLevel: logLevel as LogLevel,
    limits,
  };
}

export function helpText(): string {
  const rows = SETTINGS.map((x) => {
    const arg =
      x.kind === 'boolean' ? '' : ` <${x.kind === 'list' ? 'a,b' : x.kind === 'string' ? 'value' : 'n'}>`;
    const def = x.fallback ? ` (default ${x.fallback})` : '';
    const env = x.kind === 'boolean' ? '' : `  [${x.env}]`;
    return { name: `  --${x.flag}${arg}`, text: `${x.help}${def}${env}` };
  });
  // The description column starts two spaces after the longest flag, so no flag runs into its text.
  const width = Math.max(...rows.map((r) => r.name.length)) + 2;
  const lines = rows.map((r) => r.name.padEnd(width) + r.text);
  return [
    'usage: kinetic-signal [options]',
    '',
    'Every option can also be set by the environment variable in brackets; a flag wins.',
    '',
    ...lines,
  ].join('\n');
}
