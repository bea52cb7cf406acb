// Library factory for the signaling server: one HTTP port serves the built app (optional), /healthz, /metrics,
// /ice and the WebSocket endpoint /signal (rooms, signal relay, data relay, leadership lease). The bin is a thin
// CLI on top.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ErrorCode, PeerLeftReason, encodeServerFrame } from 'kinetic-mesh/protocol';
import { Connection, type ServerStats } from './connection';
import { AddressLimits, DEFAULT_LIMITS, type Limits } from './limits';
import { SignalRoomRegistry } from './rooms';
import { staticHandler } from './static';
import { httpHandler, type Route } from './http-routes';
import { createMetrics } from './metrics';
import { iceConfig, type IceSettings } from './ice';
import { silentLog, type Log } from './log';
import { originAllowed } from './origin';
import { fileRoomRecords, memoryRoomRecords, type RoomRecords } from './room-records';
import type { RoomDirectory } from './room-port';
import { createRedisRooms, type RedisRooms } from './redis/redis-rooms';

export type { Limits } from './limits';
export { DEFAULT_LIMITS } from './limits';
export type { ServerStats } from './connection';
export type { IceConfig, IceSettings } from './ice';
export type { Log } from './log';

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
  /** Wall clock (Unix ms) for the expiry of TURN credentials. */
  wallNow?: () => number;
  /** Keep the durable room records (lease epoch floors) in this folder; default: in memory. */
  dataDir?: string;
  /** Origins whose pages may open WebSockets and read /ice; null or absent: any. */
  allowOrigins?: readonly string[] | null;
  /** STUN/TURN handed to clients on GET /ice. */
  ice?: IceSettings;
  log?: Log;
  /** redis://… : share rooms, leases and room records with the other instances using the same Redis. */
  redisUrl?: string;
}

export interface SignalingServer {
  readonly ready: Promise<void>;
  address(): { host: string; port: number };
  /** Counters for tests and monitoring. */
  stats(): ServerStats & { rooms: number; roomRecords: number };
  /** Graceful shutdown: tells every client, closes sockets, stops listening. */
  close(): Promise<void>;
}

/** `?room=` of the WebSocket URL (clients put their room there so proxies can route by it). */
function roomOfUrl(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://localhost').searchParams.get('room');
  } catch {
    return null;
  }
}

export function createSignalingServer(opts: SignalingServerOptions = {}): SignalingServer {
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const now = opts.now ?? (() => performance.now());
  const log = opts.log ?? silentLog;
  const stats: ServerStats = { connections: 0, framesIn: 0, framesOut: 0, relayedBytes: 0, leaseGrants: 0, errors: 0, rejected: {} };
  const fail = (err: Error): void => {
    stats.errors++;
    log.error({ err: err.message }, 'background error');
    opts.onError?.(err);
  };
  // An open room's record is never forgotten; `rooms` exists once the records do (it is built on them).
  const open = { rooms: null as RoomDirectory | null };
  const recordOptions = { maxRecords: limits.maxRoomRecords, isOpen: (room: string) => open.rooms?.isOpen(room) ?? false };
  const store: RoomRecords = opts.dataDir ? fileRoomRecords(opts.dataDir, recordOptions) : memoryRoomRecords(recordOptions);
  const records: RoomRecords = {
    floor: (room) => store.floor(room),
    granted(room, epoch) {
      store.granted(room, epoch);
      stats.leaseGrants++;
      log.debug({ room, epoch }, 'lease granted');
    },
    genesis: (room) => store.genesis(room),
    history(room, genesis, started) {
      const changed = store.history(room, genesis, started);
      if (changed) log.debug({ room, genesis, started }, 'room history recorded');
      return changed;
    },
    stats: () => store.stats(),
    close: () => store.close(),
  };
  const redis: RedisRooms | null = opts.redisUrl
    ? createRedisRooms({
        url: opts.redisUrl,
        leaseTtlMs: limits.leaseTtlMs,
        maxPeersPerRoom: limits.maxPeersPerRoom,
        recordTtlMs: limits.roomRecordTtlSeconds * 1000,
        records: store,
        log,
        onGrant: (room, epoch) => {
          stats.leaseGrants++;
          log.debug({ room, epoch }, 'lease granted');
        },
        onError: fail,
        onRejected: (code) => (stats.rejected[code] = (stats.rejected[code] ?? 0) + 1),
      })
    : null;
  const rooms: RoomDirectory = redis ?? new SignalRoomRegistry(limits.leaseTtlMs, now, records);
  open.rooms = rooms;
  const connections = new Map<WebSocket, Connection>();
  const addresses = new AddressLimits(limits, now);
  const serveStatic = opts.staticDir ? staticHandler(opts.staticDir) : null;
  const allowOrigins = opts.allowOrigins ?? null;
  const metrics = createMetrics(() => ({ ...stats, rooms: rooms.size, roomRecords: store.stats().records }));
  let closing = false;

  const routes = new Map<string, Route>([
    ['/healthz', (_req, res) => void res.writeHead(closing ? 503 : 200, { 'content-type': 'text/plain' }).end(closing ? 'shutting down' : 'ok')],
    [
      '/metrics',
      async (_req, res) => {
        const body = await metrics.render();
        res.writeHead(200, { 'content-type': metrics.contentType }).end(body);
      },
    ],
    [
      '/ice',
      (req, res) => {
        const origin = req.headers.origin;
        if (!originAllowed(allowOrigins, origin)) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('origin not allowed');
        const ice = opts.ice ?? { stun: [], turn: [], turnTtlSeconds: 86_400 };
        const body = JSON.stringify(iceConfig(ice, (opts.wallNow ?? Date.now)(), 'kinetic'));
        res.writeHead(200, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          ...(origin && allowOrigins !== null ? { 'access-control-allow-origin': origin, vary: 'origin' } : { 'access-control-allow-origin': '*' }),
        });
        res.end(body);
      },
    ],
  ]);
  const server = http.createServer(httpHandler(routes, serveStatic, fail));
  // Slow or idle clients cannot hold sockets forever (the HTTP parser's own limits cover oversize requests).
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  // ws's own cap sits well above ours so an oversize frame reaches our check and gets an error frame; only
  // absurd frames (4x the limit) make ws close the socket with 1009.
  const wss = new WebSocketServer({
    server,
    path: '/signal',
    maxPayload: limits.maxMessageBytes * 4,
    perMessageDeflate: false,
    verifyClient: (info, done) => {
      if (originAllowed(allowOrigins, info.origin)) return done(true);
      stats.rejected['bad-origin'] = (stats.rejected['bad-origin'] ?? 0) + 1;
      log.warn({ origin: info.origin }, 'WebSocket refused: origin not allowed');
      done(false, 403, 'origin not allowed');
    },
  });
  // ws re-emits the HTTP server's errors; before listening succeeds they belong to `ready` (port in use, …).
  wss.on('error', (err) => {
    if (server.listening) fail(err);
  });

  wss.on('connection', (ws, req) => {
    ws.on('error', fail);
    if (connections.size >= limits.maxConnections) {
      stats.rejected[ErrorCode.ServerFull] = (stats.rejected[ErrorCode.ServerFull] ?? 0) + 1;
      ws.send(encodeServerFrame({ type: 'error', code: ErrorCode.ServerFull, message: `server is full (${limits.maxConnections} connections)` }));
      ws.close(1013, 'server full');
      return;
    }
    const address = addresses.open(req.socket.remoteAddress ?? 'unknown');
    if (!address) {
      stats.rejected[ErrorCode.TooManyConnections] = (stats.rejected[ErrorCode.TooManyConnections] ?? 0) + 1;
      ws.send(encodeServerFrame({ type: 'error', code: ErrorCode.TooManyConnections, message: 'too many connections from this address' }));
      ws.close(1013, 'too many connections');
      return;
    }
    const conn = new Connection(ws, rooms, limits, stats, now, roomOfUrl(req.url), address.joinAllowed);
    connections.set(ws, conn);
    stats.connections = connections.size;
    ws.on('pong', () => (conn.awaitingPong = false));
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      try {
        conn.receive(buf, isBinary, buf.byteLength);
      } catch (err) {
        // Defensive: a bug in a handler must cost one frame, never the process or other rooms.
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    });
    ws.on('close', () => {
      address.close();
      connections.delete(ws);
      stats.connections = connections.size;
      conn.closed(conn.awaitingPong ? PeerLeftReason.Timeout : PeerLeftReason.Closed);
    });
  });

  // Liveness: every interval, a socket that has not answered the previous ping is dropped (its peers are told
  // within one to two intervals); the others get a fresh ping.
  const sweep = setInterval(() => {
    addresses.sweep();
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

  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8787, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  const redisReady = redis
    ? Promise.race([
        redis.ready,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`cannot reach Redis at ${opts.redisUrl}`)), 5000).unref()),
      ])
    : Promise.resolve();
  const ready = Promise.all([listening, redisReady]).then(() => undefined);
  ready.catch(() => undefined); // the caller awaits it; this only keeps an unawaited rejection from being fatal

  return {
    ready,
    address() {
      const a = server.address() as AddressInfo;
      return { host: a.address, port: a.port };
    },
    stats: () => ({ ...stats, rejected: { ...stats.rejected }, rooms: rooms.size, roomRecords: store.stats().records }),
    async close() {
      closing = true;
      clearInterval(sweep);
      // Clients treat 1012 ("service restart") as a reason to reconnect with backoff, keeping their links.
      for (const ws of connections.keys()) {
        ws.send(encodeServerFrame({ type: 'error', code: ErrorCode.ShuttingDown, message: 'server is shutting down' }));
        ws.close(1012, 'server shutting down');
      }
      await new Promise<void>((r) => wss.close(() => r()));
      for (const ws of connections.keys()) ws.terminate();
      rooms.dispose();
      await redis?.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      records.close();
    },
  };
}
