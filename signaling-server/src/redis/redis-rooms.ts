// Rooms shared by several kinetic-signal instances through Redis (`--redis redis://…`). Membership and the
// lease live in Redis and change only through the Lua scripts in ./scripts (atomic); each instance keeps a
// mirror of the rooms its own clients are in, fed by the room's pub/sub channel, so frame routing stays a
// local map lookup. A member on another instance is a RemoteMember: sending to it publishes on that
// instance's channel. An instance that dies stops refreshing its heartbeat key; the others then take its
// members out of their rooms (unless those peers already came back through another instance, which the join
// script records as a move, without a leave/join flap).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ServerFrameBody } from 'kinetic-mesh/protocol';
import { DEFAULT_LIMITS } from '../limits';
import type { RoomDirectory } from '../room-port';
import type { Log } from '../log';
import {
  aliveKey,
  defineScripts,
  parseJson,
  roomChannel,
  roomKeys,
  roomOfChannel,
  serverChannel,
} from './keys';
import { RedisRoom, type RedisRoomHost, type RoomEvent, type RoomSettings } from './redis-room';
import { RemoteMember } from './remote-member';
import { HISTORY, JOIN, LEASE, REAP, RESTORE } from './scripts';

export interface RedisRoomsOptions extends RoomSettings {
  readonly url: string;
  readonly log: Log;
  readonly onError: (err: Error) => void;
  /** How often this instance says it is alive, and how long others wait before reaping its members. */
  readonly heartbeatMs?: number;
}

export interface RedisRooms extends RoomDirectory {
  readonly ready: Promise<void>;
  readonly serverId: string;
  close(): Promise<void>;
}

export function createRedisRooms(o: RedisRoomsOptions): RedisRooms {
  const serverId = randomBytes(6).toString('hex');
  const heartbeatMs = o.heartbeatMs ?? 1000;
  const redisOptions = { lazyConnect: true, maxRetriesPerRequest: null, enableAutoPipelining: false };
  const cmd = new Redis(o.url, redisOptions);
  const sub = new Redis(o.url, redisOptions);
  let lastError = '';
  cmd.on('error', (e: Error) => {
    lastError = e.message;
    o.log.warn({ err: e.message }, 'redis');
  });
  sub.on('error', (e: Error) => o.log.warn({ err: e.message }, 'redis (subscriber)'));
  const scripts = defineScripts(cmd, { join: JOIN, lease: LEASE, reap: REAP, restore: RESTORE, history: HISTORY });
  const rooms = new Map<string, RedisRoom>();
  /** After close(): the sockets still closing must not reach a Redis connection that is gone. */
  let closed = false;
  // A command still in flight when close() disconnects fails with 'Connection is closed': expected, not an error.
  const fail = (err: unknown): void => {
    if (!closed) o.onError(err instanceof Error ? err : new Error(String(err)));
  };
  const collect = (id: string): void => {
    const room = rooms.get(id);
    if (room && room.localCount === 0) {
      room.dispose();
      rooms.delete(id);
    }
  };
  const host: RedisRoomHost = {
    serverId,
    sub,
    scripts,
    publish: (channel, text) => void cmd.publish(channel, text).catch(fail),
    leaseTtlMs: o.leaseTtlMs,
    maxPeersPerRoom: o.maxPeersPerRoom,
    recordTtlMs: o.recordTtlMs ?? DEFAULT_LIMITS.roomRecordTtlSeconds * 1000,
    records: o.records,
    onGrant: (room, epoch) => o.onGrant(room, epoch),
    onRejected: (code) => o.onRejected(code),
    fail,
    closed: () => closed,
    collect,
  };

  sub.on('message', (channel: string, text: string) => {
    try {
      if (channel === serverChannel(serverId)) {
        const msg = parseJson<{
          r?: string;
          p?: string;
          f?: ServerFrameBody;
          from?: string;
          d?: string;
          kick?: string;
        }>(text);
        const m = msg?.r && msg.p ? rooms.get(msg.r)?.members.get(msg.p) : undefined;
        if (!m || m instanceof RemoteMember) return;
        if (msg?.f) m.send(msg.f);
        else if (typeof msg?.from === 'string' && typeof msg.d === 'string') m.relay(msg.from, msg.d);
        else if (msg?.kick === m.instance) m.kick();
        return;
      }
      const id = roomOfChannel(channel);
      const room = id === null ? undefined : rooms.get(id);
      const e = parseJson<RoomEvent>(text);
      if (room && e) room.event(e);
    } catch (err) {
      fail(err);
    }
  });

  // Liveness of instances: ours is a key that expires unless refreshed; others' are checked for the members
  // we mirror. A dead instance's members are reaped by whoever notices first (the script is idempotent).
  const beat = async (): Promise<void> => {
    await cmd.set(aliveKey(serverId), '1', 'PX', heartbeatMs * 3);
    const byServer = new Map<string, Set<string>>();
    for (const room of rooms.values())
      for (const m of room.members.values())
        if (m instanceof RemoteMember) {
          const set = byServer.get(m.server) ?? new Set<string>();
          set.add(room.id);
          byServer.set(m.server, set);
        }
    for (const [sid, roomIds] of byServer) {
      if ((await cmd.exists(aliveKey(sid))) === 1) continue;
      for (const id of roomIds) await scripts.reap(roomKeys(id), [roomChannel(id), o.leaseTtlMs, sid]);
    }
  };
  let heartbeat: ReturnType<typeof setInterval> | null = null;

  // Redis came back after an outage (maybe empty, without persistence): our clients are still here, so their
  // membership goes back in; the lease and its epochs continue above the floors the instances kept.
  let readies = 0;
  cmd.on('ready', () => {
    if (readies++ === 0 || closed) return;
    o.log.warn({}, 'redis is back; restoring this instance’s members');
    for (const room of rooms.values())
      for (const m of room.members.values())
        if (!(m instanceof RemoteMember))
          scripts
            .restore(roomKeys(room.id), [m.peer, JSON.stringify({ i: m.instance, s: serverId })])
            .catch(fail);
    void beat().catch(fail);
  });

  const ready = (async () => {
    await Promise.all([cmd.connect(), sub.connect()]).catch((e: unknown) => {
      const where = new URL(o.url).host;
      throw new Error(`cannot reach Redis at ${where}: ${lastError || (e as Error).message}`);
    });
    await sub.subscribe(serverChannel(serverId));
    await beat();
    heartbeat = setInterval(() => void beat().catch(fail), heartbeatMs);
    heartbeat.unref?.();
    o.log.info({ serverId }, 'sharing rooms through redis');
  })();

  const directory: RedisRooms = {
    ready,
    serverId,
    get(id) {
      let room = rooms.get(id);
      if (!room) rooms.set(id, (room = new RedisRoom(id, host)));
      return room;
    },
    collect,
    isOpen: (id) => rooms.has(id),
    get size() {
      return rooms.size;
    },
    dispose() {
      for (const r of rooms.values()) r.dispose();
      rooms.clear();
    },
    async close() {
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      for (const r of rooms.values()) r.dispose();
      rooms.clear();
      // The alive key is left to expire: clients told to reconnect get a few seconds to come back through
      // another instance (a move, no leave) before the others reap what is left of this one's members.
      cmd.disconnect();
      sub.disconnect();
    },
  };
  return directory;
}
