// `kinetic-signal --port 8787 [--host 127.0.0.1] [--static dist]`
import { parseArgs } from 'node:util';
import { createSignalingServer } from './index';
import { createRoomLink } from '../../src/protocol/room-link';
import { randomRoomName } from '../../src/protocol/room-name';
import { systemRandom } from '../../src/core/clock';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env['PORT'] ?? '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    static: { type: 'string' },
    'max-peers-per-room': { type: 'string' },
    'max-connections': { type: 'string' },
    'max-message-bytes': { type: 'string' },
    'lease-ttl-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    'usage: kinetic-signal [--port 8787] [--host 127.0.0.1] [--static dist]\n' +
      '         [--max-peers-per-room 64] [--max-connections 2000] [--max-message-bytes 1048576] [--lease-ttl-ms 1500]',
  );
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`kinetic-signal: --port must be an integer 0-65535, got "${values.port}"`);
  process.exit(2);
}
// Optional limit overrides; anything not given keeps the server's defaults.
const limitFlags = { maxPeersPerRoom: 'max-peers-per-room', maxConnections: 'max-connections', maxMessageBytes: 'max-message-bytes', leaseTtlMs: 'lease-ttl-ms' } as const;
const limits: Record<string, number> = {};
for (const [key, flag] of Object.entries(limitFlags)) {
  const raw = values[flag];
  if (raw === undefined) continue;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`kinetic-signal: --${flag} must be a positive integer, got "${raw}"`);
    process.exit(2);
  }
  limits[key] = n;
}
const server = createSignalingServer({
  limits,
  port,
  host: values.host,
  ...(values.static ? { staticDir: values.static } : {}),
  onError: (e) => console.error('kinetic-signal:', e.message),
});
await server.ready;
const { host, port: bound } = server.address();
console.log(`kinetic-signal listening on ws://${host}:${bound}/signal`);
if (values.static) {
  const origin = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${bound}/`;
  // A fresh room for convenience: name and key are made here, in this process, and only printed. The server
  // itself never learns them (clients send it a hash of the name; the key stays in the URL fragment).
  const { url } = createRoomLink(origin, randomRoomName(systemRandom));
  console.log(`Kinetic Mesh app:  ${origin}`);
  console.log(`Your room link:    ${url}`);
  console.log('Open the room link in several tabs or browsers; share it to invite others.');
}
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
