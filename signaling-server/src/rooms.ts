// Rooms: who is in which room (keyed by the hash of the room name the client sends) and the room's lease.
import { PeerLeftReason, type ServerFrameBody } from 'kinetic-mesh/protocol';
import { NameTags } from './name-tags';
import { SignalLease, type LeaseOutcome, type LeaseSnapshot } from './room-lease';
import { memoryRoomRecords, recordView, type RoomRecords } from './room-records';
import type { Member, RoomDirectory, RoomPort } from './room-port';

export type { Member } from './room-port';

export class SignalRoom implements RoomPort {
  readonly members = new Map<string, Member>();
  readonly lease: SignalLease;
  #leaseTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly id: string,
    leaseTtlMs: number,
    private readonly now: () => number,
    private readonly onSettled: (room: SignalRoom) => void,
    private readonly records: RoomRecords,
    /** The room name's short tag (keyed rooms), for the "open under another key" hint; null when not given. */
    readonly tag: string | null = null,
    private readonly hasNamesakes: (room: SignalRoom) => boolean = () => false,
  ) {
    this.lease = new SignalLease(leaseTtlMs, records.floor(id));
  }

  broadcast(frame: ServerFrameBody, except?: string): void {
    for (const m of this.members.values()) if (m.peer !== except) m.send(frame);
  }

  join(member: Member): void {
    this.members.set(member.peer, member);
    member.send(this.joinedFrame(member.peer));
    this.broadcast({ type: 'peer-joined', peer: member.peer }, member.peer);
    // A newcomer learns who leads without having to ask (the elector may only be watching).
    const lease = this.lease.snapshot();
    if (lease.epoch > 0) member.send({ type: 'lease', ...lease });
  }

  rejoin(member: Member): void {
    this.members.set(member.peer, member);
    member.send(this.joinedFrame(member.peer));
    const lease = this.lease.snapshot();
    if (lease.epoch > 0) member.send({ type: 'lease', ...lease });
  }

  leaseSnapshot(): LeaseSnapshot {
    return this.lease.snapshot();
  }

  /** What a (re)joining member is told: who else is here, and whether a namesake room is open. */
  joinedFrame(peer: string): ServerFrameBody {
    const peers = [...this.members.keys()].filter((p) => p !== peer);
    // rawRelay: this server takes relay frames as raw text (see encodeRawRelay).
    const frame = { type: 'joined' as const, room: this.id, peer, peers, rawRelay: true as const, record: recordView(this.records, this.id) };
    return this.tag === null ? frame : { ...frame, namesakes: this.hasNamesakes(this) };
  }

  /** Remove a member; `clean` (an explicit leave) also hands its lease on at once. */
  leave(member: Member, reason: PeerLeftReason): void {
    if (this.members.get(member.peer) !== member) return;
    this.members.delete(member.peer);
    this.broadcast({ type: 'peer-left', peer: member.peer, reason });
    if (reason === PeerLeftReason.Leave) this.#apply(this.lease.release(member.peer, this.now()), member);
    else this.lease.disconnected(member.peer);
  }

  requestLease(member: Member, minEpoch: number): void {
    this.#apply(this.lease.request(member.peer, minEpoch, this.now()), member);
  }

  releaseLease(member: Member): void {
    this.#apply(this.lease.release(member.peer, this.now()), member);
  }

  reportHistory(member: Member, genesis: string, started: boolean): void {
    const changed = this.records.history(this.id, genesis, started);
    const frame = { type: 'history' as const, genesis: this.records.genesis(this.id) ?? genesis };
    if (changed) this.broadcast(frame);
    else member.send(frame);
  }

  get empty(): boolean {
    return this.members.size === 0 && this.lease.snapshot().holder === null;
  }

  dispose(): void {
    if (this.#leaseTimer) clearTimeout(this.#leaseTimer);
    this.#leaseTimer = null;
  }

  #apply(outcome: LeaseOutcome | null, requester: Member): void {
    if (outcome?.kind === 'reply') requester.send({ type: 'lease', ...outcome.state });
    if (outcome?.kind === 'changed') this.#announce(outcome);
    this.#scheduleExpiry();
  }

  /** A new holder's epoch is on record (durably, with --data) before anyone hears of it. */
  #announce(outcome: LeaseOutcome & { kind: 'changed' }): void {
    if (outcome.state.holder !== null) this.records.granted(this.id, outcome.state.epoch);
    this.broadcast({ type: 'lease', ...outcome.state });
  }

  /** One timer per room, always aimed at the current grant's expiry (renewals push it back). */
  #scheduleExpiry(): void {
    if (this.#leaseTimer) clearTimeout(this.#leaseTimer);
    this.#leaseTimer = null;
    const at = this.lease.expiresAt();
    if (at === null) return;
    this.#leaseTimer = setTimeout(() => {
      this.#leaseTimer = null;
      const outcome = this.lease.expire(this.now(), (p) => this.members.has(p));
      if (outcome?.kind === 'changed') this.#announce(outcome);
      this.#scheduleExpiry();
      this.onSettled(this);
    }, Math.max(0, at - this.now()) + 1);
  }
}

export class SignalRoomRegistry implements RoomDirectory {
  readonly #rooms = new Map<string, SignalRoom>();
  readonly #tags = new NameTags<SignalRoom>();

  constructor(
    private readonly leaseTtlMs: number,
    private readonly now: () => number,
    private readonly records: RoomRecords = memoryRoomRecords(),
  ) {}

  /** The room with this id, opened if needed; `tag` (the name tag of a keyed room) is kept from the opening join. */
  get(id: string, tag?: string): SignalRoom {
    let room = this.#rooms.get(id);
    if (!room) {
      room = new SignalRoom(id, this.leaseTtlMs, this.now, (r) => this.collect(r.id), this.records, tag ?? null, (r) => this.#tags.has(r));
      this.#rooms.set(id, room);
      this.#tags.add(room);
    }
    return room;
  }

  peek(id: string): SignalRoom | undefined {
    return this.#rooms.get(id);
  }

  isOpen(id: string): boolean {
    return this.#rooms.has(id);
  }

  /** Forget rooms nobody is in and nobody leads, so the server's memory follows its live rooms. */
  collect(id: string): void {
    const room = this.#rooms.get(id);
    if (room?.empty) {
      room.dispose();
      this.#rooms.delete(id);
      this.#tags.remove(room);
    }
  }

  get size(): number {
    return this.#rooms.size;
  }

  dispose(): void {
    for (const r of this.#rooms.values()) r.dispose();
    this.#rooms.clear();
  }
}
