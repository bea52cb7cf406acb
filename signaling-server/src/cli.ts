// `kinetic-signal [options]` — see `kinetic-signal --help`. Every failure a person can cause (a bad flag, a port
// in use, a locked data folder) is one line on stderr and a non-zero exit, never a stack trace.
import fs from 'node:fs';
import pino from 'pino';
import { ConfigError, helpText, parseConfig, type Config } from './config';
import { createSignalingServer, type SignalingServer } from './index';
import { DataDirError } from './room-records';
import { createRoomLink, cryptoRandom, randomRoomName } from 'kinetic-mesh/protocol';

function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function die(message: string, code = 2): never {
  process.stderr.write(`kinetic-signal: ${message}\n`);
  process.exit(code);
}

let config: Config;
try {
  config = parseConfig(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof ConfigError) die(`${err.message} (see --help)`);
  throw err;
}
if (config.help) {
  process.stdout.write(helpText() + '\n');
  process.exit(0);
}
if (config.version) {
  process.stdout.write(`kinetic-signal ${version()}\n`);
  process.exit(0);
}

const log = pino(
  { level: config.logLevel, base: { service: 'kinetic-signal' }, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination({ dest: 2, sync: true }),
);

let server: SignalingServer;
try {
  server = createSignalingServer({
    limits: config.limits,
    port: config.port,
    host: config.host,
    allowOrigins: config.allowOrigins,
    ice: {
      stun: config.stun,
      turn: config.turn,
      turnTtlSeconds: config.turnTtlSeconds,
      ...(config.turnSecret ? { turnSecret: config.turnSecret } : {}),
      ...(config.iceTransportPolicy ? { iceTransportPolicy: config.iceTransportPolicy } : {}),
    },
    log,
    ...(config.staticDir ? { staticDir: config.staticDir } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
  });
  await server.ready;
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') die(`port ${config.port} on ${config.host} is in use`, 1);
  if (e.code === 'EACCES') die(`no permission to listen on ${config.host}:${config.port}`, 1);
  if (e.code === 'EADDRNOTAVAIL') die(`address ${config.host} is not on this machine`, 1);
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') die(`cannot resolve host ${config.host}`, 1);
  if (err instanceof DataDirError) die(err.message, 1);
  die(e.message.startsWith('cannot reach Redis') ? e.message : `cannot start: ${e.message.split('\n')[0]}`, 1);
}
if (config.staticDir && !fs.existsSync(config.staticDir))
  log.warn({ static: config.staticDir }, 'the --static folder does not exist: every page will be 404');
const { host, port } = server.address();
log.info(
  { host, port, static: config.staticDir ?? null, data: config.dataDir ?? null, version: version() },
  'listening',
);
process.stdout.write(`kinetic-signal listening on ws://${host}:${port}/signal\n`);
if (config.staticDir) {
  const origin = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}/`;
  // A fresh room for convenience: name and key are made here, in this process, and only printed. The server
  // itself never learns them (clients send it a hash of the name; the key stays in the URL fragment).
  const { url } = createRoomLink(origin, randomRoomName(cryptoRandom));
  process.stdout.write(
    `Kinetic Mesh app:  ${origin}\nYour room link:    ${url}\nOpen the room link in several tabs or browsers; share it to invite others.\n`,
  );
}
let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
