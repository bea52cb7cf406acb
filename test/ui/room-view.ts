// Builds RoomView snapshots for the view-model tests: the shape the machine worker sends.
import type { MoleculeGroupView, PeerView, RoomView } from '../../workers/contract/room-view';
import { asPeerId, asReactorId } from '../../src/core/ids';

export function group(reactorName: string, name: string, sample: unknown[], extra: Partial<MoleculeGroupView> = {}): MoleculeGroupView {
  return { reactor: asReactorId(`${reactorName}-id`), reactorName, name, distributed: true, latched: false, count: sample.length, sample, pending: 0, ...extra };
}

export function peer(id: string, name: string, extra: Partial<PeerView> = {}): PeerView {
  return { id: asPeerId(id), name, state: 'running', link: 'webrtc', rttMs: 1, reactors: [], isSequencer: false, isSelf: false, ...extra };
}

export function roomView(molecules: MoleculeGroupView[], peers: PeerView[] = [], self = 'me'): RoomView {
  return {
    room: 'test-room',
    self: asPeerId(self),
    displayName: 'Me',
    signaling: 'connected',
    problem: null,
    sequencer: null,
    isSequencer: false,
    waitingFor: [],
    epoch: 1,
    peers,
    reactors: [],
    molecules,
    claims: [],
    outbox: 0,
    storage: { persisted: true, error: null },
    history: { genesis: 'gtest', recorded: 'gtest', waiting: false, others: [], mayStart: false },
  };
}
