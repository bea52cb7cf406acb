// Library factory for the signaling server: one HTTP port serves the built app (optional), /healthz and the
// WebSocket endpoint /signal (rooms, signal relay, data relay, leadership lease). The bin is a thin CLI on top.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ErrorCode, PeerLeftReason, encodeServerFrame } from '../../src/protocol/signaling';
import { Connection, type ServerStats } from './connection';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { RoomRegistry } from './rooms';
import { staticHandler } from './static';
import { httpHandler, type Route } from './http-routes';

export type { Limits } from './limits';
export { DEFAULT_LIMITS } from './limits';
export type { ServerStats } from './connection';

export interface SignalingServerOptions {
  /** 0 picks a free port (tests). Default 8787. */
  port?: number;
  host?: string;
  /** Serve this folder (the built app) on the same port. */
  staticDir?: string;
  limits?: Partial<Limits>;
  /** Background failures (socket errors); the server keeps running. */
  onError?: (err: Error) => void;
  /** Milliseconds clock for rate limits and leases (injectable for tests). */
  now?: () => number;
}

export interface SignalingServer {
  readonly ready: Promise<void>;
  address(): { host: string; port: number };
  /** Counters for tests and monitoring. */
  stats(): ServerStats & { rooms: number };
  /** Graceful shutdown: tells every client, closes sockets, stops listening. */
  close(): Promise<void>;
}

export function createSignalingServer(opts: SignalingServerOptions = {}): SignalingServer {
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const now = opts.now ?? (() => performance.now());
  const rooms = new RoomRegistry(limits.leaseTtlMs, now);
  const stats: ServerStats = { connections: 0, framesIn: 0, rejected: {} };
  const connections = new Map<WebSocket, Connection>();
  const serveStatic = opts.staticDir ? staticHandler(opts.staticDir) : null;

  const routes = new Map<string, Route>([['/healthz', (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')]]);
  const server = http.createServer(httpHandler(routes, serveStatic, (e) => opts.onError?.(e)));
  // ws's own cap sits well above ours so an oversize frame reaches our check and gets an error frame; only
  // absurd frames (4x the limit) make ws close the socket with 1009.
  const wss = new WebSocketServer({ server, path: '/signal', maxPayload: limits.maxMessageBytes * 4, perMessageDeflate: false });

  wss.on('connection', (ws) => {
    ws.on('error', (err) => opts.onError?.(err));
    if (connections.size >= limits.maxConnections) {
      stats.rejected[ErrorCode.ServerFull] = (stats.rejected[ErrorCode.ServerFull] ?? 0) + 1;
      ws.send(encodeServerFrame({ type: 'error', code: ErrorCode.ServerFull, message: `server is full (${limits.maxConnections} connections)` }));
      ws.close(1013, 'server full');
      return;
    }
    const conn = new Connection(ws, rooms, limits, stats, now);
    connections.set(ws, conn);
    stats.connections = connections.size;
    ws.on('pong', () => (conn.awaitingPong = false));
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      try {
        conn.receive(buf, isBinary, buf.byteLength);
      } catch (err) {
        // Defensive: a bug in a handler must cost one frame, never the process or other rooms.
        opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    });
    ws.on('close', () => {
      connections.delete(ws);
      stats.connections = connections.size;
      conn.closed(conn.awaitingPong ? PeerLeftReason.Timeout : PeerLeftReason.Closed);
    });
  });

  // Liveness: every interval, a socket that has not answered the previous ping is dropped (its peers are told
  // within one to two intervals); the others get a fresh ping.
  const sweep = setInterval(() => {
    for (const [ws, conn] of connections) {
      if (conn.awaitingPong) {
        ws.terminate();
        continue;
      }
      conn.awaitingPong = true;
      ws.ping();
    }
  }, limits.pingIntervalMs);
  sweep.unref?.();

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
    stats: () => ({ ...stats, rejected: { ...stats.rejected }, rooms: rooms.size }),
    async close() {
      clearInterval(sweep);
      // Clients treat 1012 ("service restart") as a reason to reconnect with backoff, keeping their links.
      for (const ws of connections.keys()) {
        ws.send(encodeServerFrame({ type: 'error', code: ErrorCode.ShuttingDown, message: 'server is shutting down' }));
        ws.close(1012, 'server shutting down');
      }
      await new Promise<void>((r) => wss.close(() => r()));
      for (const ws of connections.keys()) ws.terminate();
      rooms.dispose();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
