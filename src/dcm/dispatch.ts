// Routes validated messages to the role that handles them. Invalid messages are dropped and counted.
import type { PeerId } from '../core/ids';
import type { Acceptor, LeaderInfo } from './acceptor';
import type { Catalog } from './catalog';
import type { Histories } from './genesis';
import { msg, unbatch, type Message, type MessageOf } from './messages';
import type { Recovery } from './recovery';
import type { Requester } from './requester';
import type { Sequencer } from './sequencer';

export interface DispatchTargets {
  readonly acceptor: Acceptor;
  readonly requester: Requester;
  /** The sequencer taking requests now. */
  readonly sequencer: () => Sequencer | null;
  /** The sequencer of our term even while it is paused (it counts acks). */
  readonly term: () => Sequencer | null;
  readonly recovery: () => Recovery | null;
  readonly leader: () => LeaderInfo | null;
  readonly catalog: Catalog;
  readonly histories: Histories;
  readonly onLeave: (peer: PeerId) => void;
  readonly onCatalog: () => void;
  readonly onFresh: (from: PeerId, m: MessageOf<'fresh'>) => void;
  readonly send: (to: PeerId, m: Message) => void;
}

export class Dispatcher {
  readonly #t: DispatchTargets;
  invalid = 0;

  constructor(targets: DispatchTargets) {
    this.#t = targets;
  }

  /** A transport message (one protocol message or a batch of them): validate each, handle in order. */
  receive(from: PeerId, raw: unknown, parse: (raw: unknown) => Message | null): void {
    const all = unbatch(raw);
    if (!all) {
      this.invalid++;
      return;
    }
    for (const one of all) this.receiveOne(from, one, parse);
  }

  /** One protocol message (never a batch: batches do not nest). */
  receiveOne(from: PeerId, one: unknown, parse: (raw: unknown) => Message | null): void {
    const m = parse(one);
    if (m) this.handle(from, m);
    else this.invalid++;
  }

  handle(from: PeerId, m: Message): void {
    const t = this.#t;
    if (!this.#sameHistory(from, m)) return;
    const seq = t.sequencer();
    switch (m.type) {
      case 'append':
        return void t.acceptor.onAppend(from, m);
      case 'snapshot':
        return void t.acceptor.onSnapshot(from, m);
      case 'recover':
        return void t.acceptor.onRecover(from, m);
      case 'fetch':
        return t.acceptor.onFetch(from, m);
      case 'promise':
        return t.recovery()?.onPromise(from, m);
      case 'fetched':
        return t.recovery()?.onFetched(from, m);
      case 'append-ack': {
        const term = t.term();
        return term ? term.onAck(from, m) : t.acceptor.onPeerAck(from, m);
      }
      case 'emit':
        return seq?.onEmit(from, m);
      case 'claim':
        // Not serving: refuse at once so a confirmed claim does not hang.
        if (!seq) return void t.send(from, msg('claim-result', { claimId: m.claimId, ok: false }));
        return seq.onClaim(from, m);
      case 'renew':
        return seq?.onRenew(from, m);
      case 'release':
        return seq?.onRelease(from, m);
      case 'commit':
        // Only the sequencer of the claim's epoch decides a commit; anyone else stays silent and the
        // holder learns the outcome from the log.
        return seq?.onCommit(from, m);
      case 'claim-result':
        return t.requester.onClaimResult(from, m);
      case 'commit-result':
        return t.requester.onCommitResult(from, m);
      case 'claimed': {
        // Only the sequencer we follow hints (any other peer's "taken" would hide copies from us).
        const leader = t.leader();
        return leader?.leader === from ? t.requester.onHint(m, leader) : undefined;
      }
      case 'catalog':
        t.catalog.learn(from, m.reactors);
        return t.onCatalog();
      case 'leave':
        return t.onLeave(from);
      case 'fresh':
        return t.onFresh(from, m);
      case 'history':
        return; // recorded by #sameHistory
    }
  }

  /**
   * Refuse by name what a peer of another history of this room sends (genesis.ts): its ballot messages are
   * answered with the history we hold, and nothing of it but its goodbye is acted on.
   */
  #sameHistory(from: PeerId, m: Message): boolean {
    const h = this.#t.histories;
    const named = m.type === 'history' || m.type === 'catalog' || m.type === 'append' || m.type === 'snapshot' || m.type === 'recover' || m.type === 'promise' || m.type === 'fetched';
    const admitted = named ? h.admits(from, m.genesis) : !h.isForeign(from);
    if (admitted || m.type === 'leave') return true;
    const ours = h.ours();
    // Tell it which history we hold (its hello too: the hellos of a link may cross one that was not heard).
    if (ours && named && m.type !== 'history' && m.type !== 'promise' && m.type !== 'fetched') this.#t.send(from, msg('history', { genesis: ours }));
    return false;
  }
}
