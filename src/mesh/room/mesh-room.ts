// The room: one Transport (kind 'mesh') over several links per peer, always sending on the best one that is
// up (BroadcastChannel > WebRTC > relay), plus membership — names, states, RTT, a heartbeat whose idle cost is
// linear in the room (liveness.ts) that drops a vanished peer in ≤ 1.5 s, a goodbye that drops a leaving one
// at once, and duplicate-id recovery.
import { systemClock, systemRandom, type Clock, type Random, type TimerHandle } from '../../core/clock';
import { Emitter } from '../../core/emitter';
import type { PeerId } from '../../core/ids';
import { logger } from '../../core/log';
import { deferred, type Deferred } from '../deferred';
import { Liveness, type LivenessIo } from '../liveness';
import { DEFAULT_LIVENESS, MemberRecord, PeerState, type LivenessOptions, type MemberView } from './members';
import { OrderedInbox } from '../ordered-inbox';
import { renewTabPeerId, tabPeerId } from '../peer-id';
import { Misbehavior, DEFAULT_MISBEHAVIOR } from './misbehavior';
import { deriveRoomSecrets, roomHash, type RoomCipher, type RoomSecrets } from './crypto';
import { LeaseMirror } from './lease-mirror';
import { RecordMirror } from './record-mirror';
import { LinkRoutes } from './routes';
import { MeshRoomProblem, type MeshRoomEvents, type MeshRoomOptions, type SignalingStatus } from './options';
import { closeSession, connectSession, firstError, openSession, type LinkSession } from './link-session';
import { cleanName, parseRoomFrame, type RoomFrame } from './wire';
import type { SignalingRejection } from '../signaling-client';
import { SignalingWatch } from './signaling-watch';
import { ErrorCode } from '../../protocol/signaling';
import { TransportKind, type Transport } from '../transport';

export { MeshRoomProblem, type MeshRoomEvents, type MeshRoomOptions, type SignalingStatus } from './options';

const log = logger('kinetic:mesh:room');
const REORDER_WINDOW_MS = 2000;

export class MeshRoom implements Transport {
  readonly kind = TransportKind.Mesh;
  readonly #events = new Emitter<MeshRoomEvents>();
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #liveness: LivenessOptions;
  #self: PeerId;
  #name: string;
  #state: PeerState = PeerState.Up;
  #session: LinkSession | null = null;
  #secrets: Promise<RoomSecrets | null> | null = null;
  #hash: string | null = null;
  readonly #misbehavior: Misbehavior;
  #ready: Deferred<void> = deferred();
  #beat: TimerHandle | null = null;
  #watch: Liveness;
  readonly #records = new Map<PeerId, MemberRecord>();
  readonly #inboxes = new Map<PeerId, OrderedInbox<unknown>>();
  readonly #routes = new LinkRoutes();
  readonly #watchServer = new SignalingWatch(this.#events);
  /** Inbound room frames that were malformed; dropped. */
  invalid = 0;
  /** The leadership lease of the current signaling session (stable across rejoins). */
  readonly lease = new LeaseMirror();
  /** The signaling server's record of the room (stable across rejoins); see room-record.ts. */
  readonly record = new RecordMirror();

  constructor(private readonly opts: MeshRoomOptions) {
    this.#clock = opts.clock ?? systemClock;
    this.#random = opts.random ?? systemRandom;
    this.#liveness = { ...DEFAULT_LIVENESS, ...opts.liveness };
    this.#self = opts.peerId ?? tabPeerId(opts.storage ?? null, this.#random);
    this.#watch = new Liveness(this.#self, this.#liveness);
    this.#name = cleanName(opts.displayName ?? '') || this.#self;
    this.#misbehavior = new Misbehavior({ ...DEFAULT_MISBEHAVIOR, ...opts.misbehavior });
  }

  get self(): PeerId {
    return this.#self;
  }

  get signaling(): SignalingStatus {
    return this.#watchServer.status;
  }

  /** What is wrong with the room now (wrong key, duplicate id, server unreachable), or null. */
  get problem(): MeshRoomProblem | null {
    return this.#watchServer.problem;
  }

  on<K extends keyof MeshRoomEvents>(event: K, listener: (p: MeshRoomEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Join the room. Resolves once some link can send (BroadcastChannel at once; signaling after its join). */
  async connect(): Promise<void> {
    if (this.#session) return this.#ready.promise;
    await this.#start();
    return this.#ready.promise;
  }

  whenReady(): Promise<void> {
    return this.#ready.promise;
  }

  peers(): readonly PeerId[] {
    const out: PeerId[] = [];
    for (const [id, r] of this.#records) if (r.alive && this.#routes.has(id)) out.push(id);
    return out;
  }

  send(to: PeerId, message: unknown): boolean {
    const r = this.#records.get(to);
    if (!r?.alive) return false;
    return this.#sendFrame(to, { k: 'm', s: r.nextSeq++, d: message }) || (r.nextSeq--, false);
  }

  sendEncoded(to: PeerId, json: string): boolean {
    const r = this.#records.get(to);
    return !!r?.alive && (this.#sendFrame(to, r.encodedFrame(json)) || (r.nextSeq--, false));
  }

  /** Leave: goodbye to everyone (they drop us at once), close every link. connect() again rejoins. */
  async disconnect(): Promise<void> {
    const s = this.#session;
    if (!s) return;
    for (const peer of this.peers()) this.#sendFrame(peer, { k: 'by' });
    await this.#teardown(s, 'left the room');
    this.#ready = deferred();
  }

  /**
   * A message from `peer` was refused above the room (a protocol message that failed validation): counted
   * toward cutting the peer off (see misbehavior.ts).
   */
  refused(peer: PeerId): void {
    if (this.#misbehavior.refused(peer, this.#clock.now())) this.#cutOff(peer);
  }

  /** Snapshot for the UI: self first, then everyone linked (and anyone cut off for misbehaving), by id. */
  members(): MemberView[] {
    const self: MemberView = { id: this.#self, name: this.#name, state: this.#state, link: 'self', links: [], rttMs: 0, isSelf: true };
    const now = this.#clock.now();
    const others = [...this.#records.values()]
      .filter((r) => (r.alive && this.#routes.has(r.id)) || this.#misbehavior.isCutOff(r.id, now))
      .map((r) => (this.#misbehavior.isCutOff(r.id, now) ? { ...r.view(this.#routes.kinds(r.id)), state: 'misbehaving' as const } : r.view(this.#routes.kinds(r.id))))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return [self, ...others];
  }

  setDisplayName(name: string): void {
    this.#name = cleanName(name) || this.#self;
    this.#announce();
  }

  setState(state: PeerState): void {
    this.#state = state;
    this.#announce();
  }

  /** Counters for tests and diagnostics. */
  stats(): { invalid: number; cutOffs: number; links: Record<string, number> } {
    const links: Record<string, number> = {};
    for (const l of this.#session?.links ?? []) links[l.kind] = (l as Partial<{ invalid: number }>).invalid ?? 0;
    return { invalid: this.invalid, cutOffs: this.#misbehavior.cutOffs, links };
  }

  // ---- session lifecycle ------------------------------------------------------------------------------------

  async #start(): Promise<void> {
    const { roomName, key } = this.opts;
    // Derived once per room object: a rejoin should not pay PBKDF2 again. A keyed room's server address comes
    // from the key too (so the join waits for PBKDF2); a key-less room is addressed by its name's hash.
    this.#secrets ??= key ? deriveRoomSecrets(roomName, key, this.opts.keyIterations) : Promise.resolve(null);
    const secrets = await this.#secrets;
    const session = openSession({
      self: this.#self,
      roomName,
      roomHash: secrets?.roomId ?? (this.#hash ??= await roomHash(roomName)),
      ...(secrets ? { admission: { proof: secrets.admission, tag: secrets.tag } } : {}),
      cipher: Promise.resolve<RoomCipher | null>(secrets?.cipher ?? null),
      signalingUrl: this.opts.signalingUrl,
      webSocket: this.opts.webSocket,
      links: this.opts.links,
      clock: this.#clock,
      random: this.#random,
    });
    this.#session = session;
    if (session.client) {
      const client = session.client;
      session.offs.push(
        ...this.#watchServer.watch(client, { lease: this.lease, record: this.record }, {
          current: () => this.#session === session,
          rejected: (r) => this.#onRejected(session, r),
          namesakes: () => this.#checkAlone(),
        }),
      );
    }
    if (session.rendezvous) session.offs.push(session.rendezvous.on('error', (e) => this.#fail(e)));
    for (const link of session.links) this.#attach(session, link);
    this.#beat = this.#clock.setTimeout(this.#heartbeat, this.#liveness.heartbeatMs);
    const attempts = connectSession(session);
    // Only the current session may settle readiness: a session replaced after a duplicate id fails quietly.
    const current = (): boolean => this.#session === session;
    Promise.any(attempts).then(
      () => current() && this.#ready.resolve(),
      (e: unknown) => current() && this.#ready.reject(firstError(e)),
    );
    for (const a of attempts) a.catch((e: unknown) => current() && this.#fail(e));
  }

  #onRejected(session: LinkSession, r: SignalingRejection): void {
    if (r.code !== ErrorCode.DuplicatePeer || this.opts.peerId) return this.#fail(r);
    // Another tab holds our stored id (a duplicated tab copies sessionStorage): take a fresh id and rejoin.
    log('peer id %s is taken; renewing', this.#self);
    this.#watchServer.problem = MeshRoomProblem.PeerIdTaken;
    void this.#teardown(session, 'duplicate peer id').then(() => {
      this.#self = renewTabPeerId(this.opts.storage ?? null, this.#random);
      this.#watch = new Liveness(this.#self, this.#liveness);
      return this.#start();
    });
  }

  async #teardown(s: LinkSession, reason: string): Promise<void> {
    if (this.#session === s) this.#session = null;
    if (this.#beat) this.#clock.clearTimeout(this.#beat);
    this.#beat = null;
    await closeSession(s, (e) => this.#fail(e));
    for (const peer of this.#routes.peers()) this.#peerGone(peer, reason);
    this.#routes.clear();
    this.lease.bind(null);
    this.record.bind(null);
    this.#watchServer.set('offline');
  }

  #attach(session: LinkSession, link: Transport): void {
    session.offs.push(
      link.on('peer-candidate', (e) => this.#events.emit('peer-candidate', e)),
      link.on('peer-connected', ({ peerId }) => this.#linkUp(peerId, link)),
      link.on('peer-disconnected', ({ peerId, reason }) => this.#linkDown(peerId, link, reason)),
      link.on('message', ({ from, message }) => this.#receive(from, message)),
      link.on('error', (e) => this.#fail(e)),
    );
  }

  // ---- routing ------------------------------------------------------------------------------------------

  #linkUp(peer: PeerId, link: Transport): void {
    const first = this.#routes.add(peer, link);
    if (this.#misbehavior.isCutOff(peer, this.#clock.now())) {
      this.#routes.cutOff(peer, 'misbehaving');
      return;
    }
    if (first || !this.#records.get(peer)?.alive) this.#greet(peer);
    else this.#emitMembers();
  }

  #linkDown(peer: PeerId, link: Transport, reason: string): void {
    if (!this.#routes.has(peer)) return;
    if (this.#routes.remove(peer, link)) return this.#peerGone(peer, reason);
    // Other links remain: the peer may have died (the server saw its socket close) or only this link did.
    // It must answer over the others soon (liveness.ts), or it is dropped without waiting for its ring.
    const r = this.#records.get(peer);
    if (r?.alive) {
      r.suspectSince = this.#clock.now();
      this.#sendFrame(peer, { k: 'pi', t: r.suspectSince, e: 1 });
    }
    this.#emitMembers();
  }

  /** A frame, or the text of one (MemberRecord.encodedFrame). */
  #sendFrame(to: PeerId, frame: RoomFrame | string): boolean {
    const sent = this.#routes.send(to, frame);
    if (sent) {
      const r = this.#records.get(to);
      if (r) r.lastSent = this.#clock.now();
    }
    return sent;
  }

  /** A new session with `peer` (first link, or back from the dead): our sequence to it restarts with a hi. */
  #greet(peer: PeerId): void {
    let r = this.#records.get(peer);
    const wasAlive = r?.alive ?? false;
    if (!r) this.#records.set(peer, (r = new MemberRecord(peer, this.#clock.now())));
    r.alive = true;
    r.lastHeard = this.#clock.now();
    r.suspectSince = null;
    r.reportedBy = null;
    r.nextSeq = 0;
    this.#sendFrame(peer, { k: 'hi', n: this.#name, st: this.#state });
    if (!wasAlive) this.#events.emit('peer-connected', { peerId: peer });
    this.#checkAlone();
    this.#emitMembers();
  }

  /** Alone while a namesake room is open: our key is probably wrong (see signaling-watch.ts). */
  #checkAlone(): void {
    if (this.#watchServer.checkAlone(this.peers().length === 0)) this.#emitMembers(); // views re-read the problem on this event
  }

  /** Too many refused messages: drop the peer, close its direct links, ignore it until its cool-down ends. */
  #cutOff(peer: PeerId): void {
    log('%s cut off: too many refused messages', peer);
    this.#inboxes.get(peer)?.reset();
    this.#peerGone(peer, 'misbehaving');
    this.#routes.cutOff(peer, 'misbehaving');
  }

  #peerGone(peer: PeerId, reason: string): void {
    const r = this.#records.get(peer);
    if (!r?.alive) return;
    r.alive = false;
    this.#events.emit('peer-disconnected', { peerId: peer, reason });
    this.#emitMembers();
  }

  #receive(from: PeerId, raw: unknown): void {
    if (this.#misbehavior.isCutOff(from, this.#clock.now())) return;
    const f = parseRoomFrame(raw);
    if (!f) {
      this.invalid++;
      this.refused(from);
      return;
    }
    let r = this.#records.get(from);
    if (!r?.alive) {
      // Heard from a peer we had dropped (a frozen tab woke up): it is back, unless it is saying goodbye.
      if (f.k === 'by' || !this.#routes.has(from)) return;
      this.#greet(from);
      r = this.#records.get(from) as MemberRecord;
    }
    r.lastHeard = this.#clock.now();
    switch (f.k) {
      case 'm':
        return this.#inbox(from).push(f.s, f.d);
      case 'pi':
        // A ring neighbour hears from us every heartbeat anyway; anyone else counts on this answer.
        if (f.e === 1 || !this.#watch.isNeighbor(from)) this.#sendFrame(from, { k: 'po', t: f.t });
        return;
      case 'dn':
        return this.#watch.reportedDown(from, this.#records.get(f.p as PeerId), this.#clock.now(), this.#livenessIo);
      case 'po':
        r.sampleRtt(this.#clock.now() - f.t);
        return;
      case 'hi':
        this.#inbox(from).reset();
        r.name = cleanName(f.n);
        r.state = f.st;
        return this.#emitMembers();
      case 'in':
        r.name = cleanName(f.n);
        r.state = f.st;
        return this.#emitMembers();
      case 'by':
        this.#drop(from, 'goodbye');
        return;
    }
  }

  #inbox(peer: PeerId): OrderedInbox<unknown> {
    let box = this.#inboxes.get(peer);
    // The reorder window must outlast the slowest link's latency under load (the sealed relay on a busy
    // machine): a gap skipped too early turns late messages into losses.
    if (!box) this.#inboxes.set(peer, (box = new OrderedInbox((message) => this.#events.emit('message', { from: peer, message }), this.#clock, REORDER_WINDOW_MS)));
    return box;
  }

  #drop(peer: PeerId, reason: string): void {
    this.#peerGone(peer, reason);
    this.#routes.drop(peer, reason);
  }

  readonly #livenessIo: LivenessIo = {
    // A peer cut off for misbehaving is neither watched nor probed until its cool-down ends.
    routed: (peer) => this.#routes.has(peer) && !this.#misbehavior.isCutOff(peer, this.#clock.now()),
    send: (peer, frame) => this.#sendFrame(peer, frame),
    drop: (peer, reason) => {
      log('%s dropped: %s', peer, reason);
      this.#drop(peer, reason);
    },
  };

  #heartbeat = (): void => {
    const dropped = this.#watch.tick(this.#clock.now(), this.#records.values(), this.#livenessIo);
    // Tell the rest: they are not watching it (outside its ring neighbourhood) and would not notice.
    for (const gone of dropped) for (const peer of this.peers()) this.#sendFrame(peer, { k: 'dn', p: gone });
    if (this.#records.size) this.#emitMembers();
    this.#beat = this.#clock.setTimeout(this.#heartbeat, this.#liveness.heartbeatMs);
  };

  #announce(): void {
    for (const peer of this.peers()) this.#sendFrame(peer, { k: 'in', n: this.#name, st: this.#state });
    this.#emitMembers();
  }

  #emitMembers(): void {
    if (this.#events.has('members')) this.#events.emit('members', this.members());
  }

  #fail(e: unknown): void {
    this.#watchServer.fail(e);
  }
}

/** Create a room (not yet joined: call connect()). */
export function createMeshRoom(opts: MeshRoomOptions): MeshRoom {
  return new MeshRoom(opts);
}
