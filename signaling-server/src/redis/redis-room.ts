// One room as this instance mirrors it: its members (ours, and RemoteMembers on other instances), fed by the
// room's channel; joins and lease operations go through the Lua scripts, whose answers and channel events
// keep the mirror and the lease in step.
import type { Redis } from 'ioredis';
import { PeerLeftReason, type ServerFrameBody } from 'kinetic-mesh/protocol';
import type { LeaseSnapshot } from '../room-lease';
import type { Member, RoomPort } from '../room-port';
import { isGenesis, type RoomRecords } from '../room-records';
import {
  parseJson,
  roomChannel,
  roomKeys,
  toSnapshot,
  type LeaseState,
  type MemberRec,
  type RoomScripts,
} from './keys';
import { HeldMember } from './held-member';
import { RemoteMember, type Publish } from './remote-member';

/** An event on a room's channel (from any instance). */
export interface RoomEvent {
  readonly t: string;
  readonly p?: string;
  readonly m?: MemberRec;
  readonly r?: string;
  readonly s?: LeaseState;
  /** A history event: the room record's genesis now. */
  readonly g?: string;
}

/** The room settings and counters an instance's options pass on to each of its rooms. */
export interface RoomSettings {
  readonly leaseTtlMs: number;
  readonly maxPeersPerRoom: number;
  /**
   * A room record (lease hash) untouched this long expires in Redis (every join, lease op and history report
   * touches it); default DEFAULT_LIMITS.roomRecordTtlSeconds.
   */
  readonly recordTtlMs?: number;
  /** This instance's own record of epochs seen (a floor for grants even if Redis lost its data). */
  readonly records: RoomRecords;
  /** A grant this instance's request caused (for the metrics). */
  readonly onGrant: (room: string, epoch: number) => void;
  /** A refused join (room full, duplicate peer) for the server's counters. */
  readonly onRejected: (code: string) => void;
}

/** What a room needs from the instance that holds it. */
export interface RedisRoomHost extends RoomSettings {
  readonly recordTtlMs: number;
  readonly serverId: string;
  readonly sub: Redis;
  readonly scripts: RoomScripts;
  readonly publish: Publish;
  readonly fail: (err: unknown) => void;
  /** The instance closed: nothing more goes to Redis. */
  readonly closed: () => boolean;
  /** The room may have no local member left: the instance drops it then. */
  readonly collect: (room: string) => void;
}

export class RedisRoom implements RoomPort {
  readonly members = new Map<string, Member>();
  readonly subscribed: Promise<unknown>;
  readonly #h: RedisRoomHost;
  #lease: LeaseSnapshot;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Joins sent to Redis and not yet answered: the room must not be collected meanwhile. */
  #pending = 0;

  constructor(
    readonly id: string,
    host: RedisRoomHost,
  ) {
    this.#h = host;
    this.#lease = { holder: null, epoch: 0, ttlMs: host.leaseTtlMs };
    this.subscribed = host.sub.subscribe(roomChannel(id));
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
    const h = this.#h;
    if (h.closed()) return;
    // Until Redis answers, frames for the newcomer wait in the map (see held-member.ts).
    const held = replacing ? null : new HeldMember(member);
    this.members.set(member.peer, held ?? member);
    this.#pending++;
    void this.subscribed
      .then(() =>
        h.scripts.join(roomKeys(this.id), [
          roomChannel(this.id),
          h.leaseTtlMs,
          member.peer,
          member.instance,
          h.serverId,
          h.maxPeersPerRoom,
          h.recordTtlMs,
        ]),
      )
      .finally(() => this.#pending--)
      .then((reply) => {
        const [status, membersJson, leaseJson, genesis, max] = reply as [string, string, string, string, string];
        if (status === 'duplicate' || status === 'full') return this.#refused(held ?? member, status);
        const all = parseJson<Record<string, MemberRec>>(membersJson) ?? {};
        for (const [peer, rec] of Object.entries(all)) {
          if (peer === member.peer) continue;
          const known = this.members.get(peer);
          if (rec.s === h.serverId) continue; // our own clients are in the map already
          if (!(known instanceof RemoteMember) || known.server !== rec.s)
            this.members.set(peer, new RemoteMember(this.id, peer, rec.i, rec.s, h.publish));
        }
        for (const [peer, m] of this.members)
          if (m instanceof RemoteMember && !all[peer]) this.members.delete(peer);
        // A newer socket of the same page may have taken the held one's place meanwhile: that one stays.
        if (!held || this.members.get(member.peer) === held) this.members.set(member.peer, member);
        member.send({
          type: 'joined',
          room: this.id,
          peer: member.peer,
          // Not the others whose joins are still in Redis: they may yet be refused.
          peers: [...this.members].filter(([p, m]) => p !== member.peer && !(m instanceof HeldMember)).map(([p]) => p),
          rawRelay: true,
          record: this.#record(genesis, Number(max)),
        });
        const lease = parseJson<LeaseState>(leaseJson);
        if (lease) this.#leaseSeen(lease);
        if (this.#lease.epoch > 0) member.send({ type: 'lease', ...this.#lease });
        held?.deliver();
      })
      .catch(h.fail);
  }

  /** `entry`: what the join put in the map (the member, or its HeldMember). */
  #refused(entry: Member, status: 'duplicate' | 'full'): void {
    const member = entry instanceof HeldMember ? entry.member : entry;
    if (this.members.get(member.peer) === entry) this.members.delete(member.peer);
    const code = status === 'full' ? 'room-full' : 'duplicate-peer';
    this.#h.onRejected(code);
    member.send({
      type: 'error',
      code,
      message:
        status === 'full'
          ? `room is full (${this.#h.maxPeersPerRoom} peers)`
          : `peer id ${member.peer} is already in this room (another tab or device uses it)`,
      ref: 'join',
    } as ServerFrameBody);
    member.refused?.();
    this.#h.collect(this.id);
  }

  leave(member: Member, reason: PeerLeftReason): void {
    const mine = this.members.get(member.peer);
    if (mine !== member && !(mine instanceof HeldMember && mine.member === member)) return;
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

  reportHistory(member: Member, genesis: string, started: boolean): void {
    const h = this.#h;
    if (h.closed()) return;
    void this.subscribed
      .then(() => h.scripts.history(roomKeys(this.id), [roomChannel(this.id), genesis, started ? '1' : '0', h.recordTtlMs]))
      .then((reply) => {
        const [kind, recorded] = reply as [string, string];
        // 'changed' reaches everyone (the reporter included) through the room channel.
        if (kind === 'same' && recorded !== '') member.send({ type: 'history', genesis: recorded });
      })
      .catch(h.fail);
  }

  /** The record a joiner is told: Redis's, else this instance's own copy (Redis may have lost its data). */
  #record(genesis: string, max: number): { seen: boolean; genesis?: string } {
    const recorded = genesis !== '' ? genesis : this.#h.records.genesis(this.id);
    const seen = recorded !== null || max > 0 || this.#h.records.floor(this.id) > 0;
    return { seen, ...(recorded !== null ? { genesis: recorded } : {}) };
  }

  expire(): void {
    this.#leaseOp('expire', null, 0);
  }

  #leaseOp(op: string, member: Member | null, minEpoch: number, reason = ''): void {
    const h = this.#h;
    if (h.closed()) return;
    const floor = h.records.floor(this.id);
    void this.subscribed
      .then(() =>
        h.scripts.lease(roomKeys(this.id), [
          roomChannel(this.id),
          h.leaseTtlMs,
          op,
          member?.peer ?? '',
          minEpoch,
          floor,
          h.serverId,
          reason,
          h.recordTtlMs,
        ]),
      )
      .then((reply) => {
        const [kind, json] = reply as [string, string];
        const state = parseJson<LeaseState>(json);
        if (!state) return;
        // 'changed' reaches everyone (this instance included) through the room channel.
        if (kind === 'changed' && state.holder !== '') h.onGrant(this.id, state.epoch);
        if (kind === 'reply' && member) {
          this.#leaseSeen(state);
          member.send({ type: 'lease', ...toSnapshot(state) });
        }
        if (op === 'leave' || op === 'expire') h.collect(this.id);
      })
      .catch(h.fail);
  }

  /** Every lease state this instance learns: mirror it, keep the floor, and watch the expiry. */
  #leaseSeen(state: LeaseState): void {
    this.#lease = toSnapshot(state);
    if (state.epoch > 0) this.#h.records.granted(this.id, state.epoch);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (state.holder !== '' && state.expiresIn >= 0 && this.localCount > 0) {
      this.#timer = setTimeout(() => this.expire(), state.expiresIn + 5);
    }
  }

  /** An event on the room's channel (from any instance, this one included). */
  event(e: RoomEvent): void {
    if ((e.t === 'joined' || e.t === 'moved' || e.t === 'rejoined') && e.p && e.m) {
      const known = this.members.get(e.p);
      if (e.m.s !== this.#h.serverId) {
        if (known && !(known instanceof RemoteMember)) known.kick(); // it came back through another instance
        this.members.set(e.p, new RemoteMember(this.id, e.p, e.m.i, e.m.s, this.#h.publish));
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
    } else if (e.t === 'history' && isGenesis(e.g)) {
      this.#h.records.history(this.id, e.g, true); // this instance's copy follows Redis
      this.#broadcastLocal({ type: 'history', genesis: e.g });
    }
    this.#h.collect(this.id);
  }

  #broadcastLocal(frame: ServerFrameBody, except?: string): void {
    for (const m of this.members.values())
      if (!(m instanceof RemoteMember) && m.peer !== except) m.send(frame);
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#h.sub.unsubscribe(roomChannel(this.id)).catch(this.#h.fail);
  }
}
