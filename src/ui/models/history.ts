// What the app tells a person about the room's histories (docs/protocol.md, "Histories meeting"): the one
// notice to show, if any, from the history part of a RoomView. Genesis ids are shown short; names come from
// the peers list (or the chat's presence, which remembers peers that are gone).
import type { HistoryInfo, RoomView } from '../../../workers/contract/room-view';
import { chatPeople } from './chat';

export type HistoryNoticeKind = 'waiting' | 'starting' | 'others' | 'superseded';

export interface HistoryNotice {
  readonly kind: HistoryNoticeKind;
  readonly text: string;
  /** The "Start a new history" action applies (the tab waits for a history). */
  readonly canStart: boolean;
}

/** A genesis id as people see it: `g` and its first characters. */
export const shortGenesis = (genesis: string): string => genesis.slice(0, 9);

const listed = (names: readonly string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

export function historyNotice(view: RoomView | null): HistoryNotice | null {
  const h: HistoryInfo | undefined = view?.history;
  if (!view || !h) return null;
  if (h.others.length > 0) {
    const names = new Map(chatPeople(view).map((p) => [p.peer as string, p.name]));
    const who = listed(h.others.map((o) => names.get(o.peer) ?? o.peer));
    const theirs = [...new Set(h.others.map((o) => shortGenesis(o.genesis)))].join(', ');
    return {
      kind: 'others',
      canStart: false,
      text: `This room has two histories: ${who} ${h.others.length === 1 ? 'holds' : 'hold'} another history of it (${theirs}) than this tab (${h.genesis ? shortGenesis(h.genesis) : 'none'}). Nothing is exchanged with them and neither history is merged into the other: what you do here, they do not see. To keep both, continue one of them under another room name.`,
    };
  }
  if (h.genesis === null && h.mayStart) {
    return { kind: 'starting', canStart: false, text: 'Starting this room’s history — unless a peer who already holds one answers first; then this tab joins theirs.' };
  }
  if (h.genesis === null && h.waiting) {
    const known = h.recorded
      ? `The signaling server’s record says this room has a history (${shortGenesis(h.recorded)}), and nobody who holds it is online right now.`
      : 'Nobody who holds it is online right now.';
    return {
      kind: 'waiting',
      canStart: true,
      text: `Waiting for this room’s history. ${known} It arrives when one of them opens the room again; what you do meanwhile is kept in this tab and goes through then.`,
    };
  }
  if (h.genesis !== null && h.recorded !== null && h.recorded !== h.genesis) {
    return {
      kind: 'superseded',
      canStart: false,
      text: `Someone started a new history of this room (${shortGenesis(h.recorded)}, says the signaling server). This tab keeps its own (${shortGenesis(h.genesis)}); tabs that open the link fresh join the new one.`,
    };
  }
  return null;
}
