// Rooms shared by several kinetic-signal instances through Redis (`--redis redis://…`). Membership and the
// lease live in Redis and change only through the Lua scripts in ./scripts (atomic); each instance keeps a
// mirror of the rooms its own clients are in, fed by the room's pub/sub channel, so frame routing stays a
// local map lookup. A member on another instance is a RemoteMember: sending to it publishes on that
// instance's channel. An instance that dies stops refreshing its heartbeat key; the others then take its
// members out of their rooms (unless those peers already came back through another instance, which the join
// script records as a move, without a leave/join flap).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { PeerLeftReason, type ServerFrameBody } from '../../../src/protocol/signaling';
import type { LeaseSnapshot } from '../room-lease';
import type { Member, RoomDirectory, RoomPort } from '../room-port';
import type { RoomRecords } from '../room-records';
import type { Log } from '../log';
import { JOIN, LEASE, REAP, RESTORE } from './scripts';

type ScriptFn = (keys: [string, string, string], args: (string | number)[]) => Promise<unknown>;

export interface RedisRoomsOptions {
  readonly url: string;
  readonly leaseTtlMs: number;
  readonly maxPeersPerRoom: number;
  /** This instance's own record of epochs seen (a floor for grants even if Redis lost its data). */
  readonly records: RoomRecords;
  readonly log: Log;
  /** A grant this instance's request caused (for the metrics). */
  readonly onGrant: (room: string, epoch: number) => void;
  readonly onError: (err: Error) => void;
  /** A refused join (room full, duplicate peer) for the server's counters. */
  readonly onRejected: (code: string) => void;
  /** How often this instance says it is alive, and how long others wait before reaping its members. */
  readonly heartbeatMs?: number;
}

export interface RedisRooms extends RoomDirectory {
  readonly ready: Promise<void>;
  readonly serverId: string;
  close(): Promise<void>;
}

interface Rec {
  readonly i: string;
  readonly s: string;
}

interface LeaseState extends LeaseSnapshot {
  readonly expiresIn: number;
}

const keys = (room: string): [string, string, string] => [
  `kinetic:{${room}}:m`,
  `kinetic:{${room}}:l`,
  `kinetic:{${room}}:c`,
];
const roomChannel = (room: string): string => `kinetic:{${room}}:e`;
const serverChannel = (sid: string): string => `kinetic:srv:${sid}`;
const aliveKey = (sid: string): string => `kinetic:srv:${sid}:alive`;

function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

const toSnapshot = (s: LeaseState): LeaseSnapshot => ({
  holder: s.holder === '' ? null : s.holder,
  epoch: s.epoch,
  ttlMs: s.ttlMs,
});

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
  cmd.defineCommand('kJoin', { numberOfKeys: 3, lua: JOIN });
  cmd.defineCommand('kLease', { numberOfKeys: 3, lua: LEASE });
  cmd.defineCommand('kReap', { numberOfKeys: 3, lua: REAP });
  cmd.defineCommand('kRestore', { numberOfKeys: 3, lua: RESTORE });
  const script = (name: 'kJoin' | 'kLease' | 'kReap' | 'kRestore'): ScriptFn => {
    const fn = (cmd as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!.bind(cmd);
    return (k, args) => fn(...k, ...args);
  };
  const kJoin = script('kJoin');
  const kLease = script('kLease');
  const kReap = script('kReap');
  const kRestore = script('kRestore');
  const rooms = new Map<string, RedisRoom>();
  /** After close(): the sockets still closing must not reach a Redis connection that is gone. */
  let closed = false;
  const fail = (err: unknown): void => o.onError(err instanceof Error ? err : new Error(String(err)));

  /** A member connected to another instance: frames to it go through that instance's channel. */
  class RemoteMember implements Member {
    constructor(
      readonly room: string,
      readonly peer: string,
      readonly instance: string,
      readonly server: string,
    ) {}
    send(frame: ServerFrameBody): void {
      cmd
        .publish(serverChannel(this.server), JSON.stringify({ r: this.room, p: this.peer, f: frame }))
        .catch(fail);
    }
    relay(from: string, data: string | Uint8Array): void {
      const d = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
      cmd
        .publish(serverChannel(this.server), JSON.stringify({ r: this.room, p: this.peer, from, d }))
        .catch(fail);
    }
    kick(): void {
      cmd
        .publish(
          serverChannel(this.server),
          JSON.stringify({ r: this.room, p: this.peer, kick: this.instance }),
        )
        .catch(fail);
    }
  }

  class RedisRoom implements RoomPort {
    readonly members = new Map<string, Member>();
    #lease: LeaseSnapshot = { holder: null, epoch: 0, ttlMs: o.leaseTtlMs };
    #timer: ReturnType<typeof setTimeout> | null = null;
    /** Joins sent to Redis and not yet answered: the room must not be collected meanwhile. */
    #pending = 0;
    readonly subscribed: Promise<unknown>;

    constructor(readonly id: string) {
      this.subscribed = sub.subscribe(roomChannel(id));
    }

    get localCount(): number {
      let n = 0;
      for (const m of this.members.values()) if (!(m instanceof RemoteMember)) n++;
      return n + this.#pending;
    }

    join(member: Member): void {
      this.#enter(member, false);
    }

    rejoin(member: Member): void {
      this.#enter(member, true);
    }

    #enter(member: Member, replacing: boolean): void {
      if (closed) return;
      if (replacing) this.members.set(member.peer, member);
      this.#pending++;
      void this.subscribed
        .then(() =>
          kJoin(keys(this.id), [
            roomChannel(this.id),
            o.leaseTtlMs,
            member.peer,
            member.instance,
            serverId,
            o.maxPeersPerRoom,
          ]),
        )
        .finally(() => this.#pending--)
        .then((reply) => {
          const [status, membersJson, leaseJson] = reply as [string, string, string];
          if (status === 'duplicate' || status === 'full') {
            if (this.members.get(member.peer) === member) this.members.delete(member.peer);
            const code = status === 'full' ? 'room-full' : 'duplicate-peer';
            o.onRejected(code);
            member.send({
              type: 'error',
              code,
              message:
                status === 'full'
                  ? `room is full (${o.maxPeersPerRoom} peers)`
                  : `peer id ${member.peer} is already in this room (another tab or device uses it)`,
              ref: 'join',
            } as ServerFrameBody);
            member.refused?.();
            directory.collect(this.id);
            return;
          }
          const all = parseJson<Record<string, Rec>>(membersJson) ?? {};
          for (const [peer, rec] of Object.entries(all)) {
            if (peer === member.peer) continue;
            const known = this.members.get(peer);
            if (rec.s === serverId) continue; // our own clients are in the map already
            if (!(known instanceof RemoteMember) || known.server !== rec.s)
              this.members.set(peer, new RemoteMember(this.id, peer, rec.i, rec.s));
          }
          for (const [peer, m] of this.members)
            if (m instanceof RemoteMember && !all[peer]) this.members.delete(peer);
          this.members.set(member.peer, member);
          member.send({
            type: 'joined',
            room: this.id,
            peer: member.peer,
            peers: [...this.members.keys()].filter((p) => p !== member.peer),
            rawRelay: true,
          });
          const lease = parseJson<LeaseState>(leaseJson);
          if (lease) this.#leaseSeen(lease);
          if (this.#lease.epoch > 0) member.send({ type: 'lease', ...this.#lease });
        })
        .catch(fail);
    }

    leave(member: Member, reason: PeerLeftReason): void {
      if (this.members.get(member.peer) !== member) return;
      this.members.delete(member.peer);
      this.#leaseOp('leave', member, 0, reason);
    }

    requestLease(member: Member, minEpoch: number): void {
      this.#leaseOp('request', member, minEpoch);
    }

    releaseLease(member: Member): void {
      this.#leaseOp('release', member, 0);
    }

    leaseSnapshot(): LeaseSnapshot {
      return this.#lease;
    }

    expire(): void {
      this.#leaseOp('expire', null, 0);
    }

    #leaseOp(op: string, member: Member | null, minEpoch: number, reason = ''): void {
      if (closed) return;
      const floor = o.records.floor(this.id);
      void this.subscribed
        .then(() =>
          kLease(keys(this.id), [
            roomChannel(this.id),
            o.leaseTtlMs,
            op,
            member?.peer ?? '',
            minEpoch,
            floor,
            serverId,
            reason,
          ]),
        )
        .then((reply) => {
          const [kind, json] = reply as [string, string];
          const state = parseJson<LeaseState>(json);
          if (!state) return;
          // 'changed' reaches everyone (this instance included) through the room channel.
          if (kind === 'changed' && state.holder !== '') o.onGrant(this.id, state.epoch);
          if (kind === 'reply' && member) {
            this.#leaseSeen(state);
            member.send({ type: 'lease', ...toSnapshot(state) });
          }
          if (op === 'leave' || op === 'expire') directory.collect(this.id);
        })
        .catch(fail);
    }

    /** Every lease state this instance learns: mirror it, keep the floor, and watch the expiry. */
    #leaseSeen(state: LeaseState): void {
      this.#lease = toSnapshot(state);
      if (state.epoch > 0) o.records.granted(this.id, state.epoch);
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      if (state.holder !== '' && state.expiresIn >= 0 && this.localCount > 0) {
        this.#timer = setTimeout(() => this.expire(), state.expiresIn + 5);
      }
    }

    /** An event on the room's channel (from any instance, this one included). */
    event(e: { t: string; p?: string; m?: Rec; r?: string; s?: LeaseState }): void {
      if ((e.t === 'joined' || e.t === 'moved' || e.t === 'rejoined') && e.p && e.m) {
        const known = this.members.get(e.p);
        if (e.m.s !== serverId) {
          if (known && !(known instanceof RemoteMember)) known.kick(); // it came back through another instance
          this.members.set(e.p, new RemoteMember(this.id, e.p, e.m.i, e.m.s));
        }
        if (e.t === 'rejoined')
          this.#broadcastLocal({ type: 'peer-left', peer: e.p, reason: PeerLeftReason.Closed }, e.p);
        if (e.t !== 'moved') this.#broadcastLocal({ type: 'peer-joined', peer: e.p }, e.p);
      } else if (e.t === 'left' && e.p) {
        const known = this.members.get(e.p);
        if (known instanceof RemoteMember) this.members.delete(e.p);
        else if (known) return; // a local member of that name is a newer life of the peer
        this.#broadcastLocal({ type: 'peer-left', peer: e.p, reason: (e.r ?? 'closed') as PeerLeftReason });
      } else if (e.t === 'lease' && e.s) {
        this.#leaseSeen(e.s);
        this.#broadcastLocal({ type: 'lease', ...toSnapshot(e.s) });
      }
      directory.collect(this.id);
    }

    #broadcastLocal(frame: ServerFrameBody, except?: string): void {
      for (const m of this.members.values())
        if (!(m instanceof RemoteMember) && m.peer !== except) m.send(frame);
    }

    dispose(): void {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      sub.unsubscribe(roomChannel(this.id)).catch(fail);
    }
  }

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
      const match = /^kinetic:\{(.*)\}:e$/.exec(channel);
      const room = match ? rooms.get(match[1]!) : undefined;
      const e = parseJson<Parameters<RedisRoom['event']>[0]>(text);
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
      for (const id of roomIds) await kReap(keys(id), [roomChannel(id), o.leaseTtlMs, sid]);
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
          kRestore(keys(room.id), [m.peer, JSON.stringify({ i: m.instance, s: serverId })]).catch(fail);
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
      if (!room) rooms.set(id, (room = new RedisRoom(id)));
      return room;
    },
    collect(id) {
      const room = rooms.get(id);
      if (room && room.localCount === 0) {
        room.dispose();
        rooms.delete(id);
      }
    },
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
