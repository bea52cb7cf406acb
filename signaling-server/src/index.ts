// Library factory for the signaling server. (Foundation version: accepts connections, serves the app.
// The mesh work fills in rooms, relay, limits and the leadership lease.)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { staticHandler } from './static';

export interface SignalingServerOptions {
  port?: number;
  host?: string;
  staticDir?: string;
  onError?: (err: Error) => void;
}

export interface SignalingServer {
  readonly ready: Promise<void>;
  address(): { host: string; port: number };
  close(): Promise<void>;
}

export function createSignalingServer(opts: SignalingServerOptions = {}): SignalingServer {
  const serveStatic = opts.staticDir ? staticHandler(opts.staticDir) : null;
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (serveStatic) serveStatic(req, res);
    else res.writeHead(404).end('not found');
  });
  const wss = new WebSocketServer({ server, path: '/signal' });
  wss.on('connection', (ws) => {
    ws.on('error', (err) => opts.onError?.(err));
  });
  const ready = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8787, opts.host ?? '127.0.0.1', () => resolve());
  });
  return {
    ready,
    address() {
      const a = server.address() as AddressInfo;
      return { host: a.address, port: a.port };
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
