// `kinetic-signal --port 8787 [--host 127.0.0.1] [--static dist]`
import { parseArgs } from 'node:util';
import { createSignalingServer } from './index';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env['PORT'] ?? '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    static: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: kinetic-signal [--port 8787] [--host 127.0.0.1] [--static dist]');
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`kinetic-signal: --port must be an integer 0-65535, got "${values.port}"`);
  process.exit(2);
}
const server = createSignalingServer({
  port,
  host: values.host,
  ...(values.static ? { staticDir: values.static } : {}),
  onError: (e) => console.error('kinetic-signal:', e.message),
});
await server.ready;
const { host, port: bound } = server.address();
console.log(`kinetic-signal listening on ws://${host}:${bound}/signal`);
if (values.static) console.log(`Kinetic Mesh app: http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}/`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
