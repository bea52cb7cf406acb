// The UI's live copy of one room: the latest RoomView snapshot and the recent activity, as Svelte state.
// Components read from here and call `act(...)` for every user action, so an error anywhere turns into one
// plain-words notice instead of an unhandled rejection. No business logic: that lives in the reactors.
import { remoteEmitters } from '../../../workers/contract/remote-emitters';
import type { ActivityItem, MachineClient, RoomView } from '../../../workers/contract/room-view';
import { chat } from '../../reactors/chat';
import { plainError } from '../lib/format';

/** How many activity items the feed keeps (newest first); older ones scroll away. */
export const ACTIVITY_LIMIT = 2000;

export class RoomSession {
  /** Latest snapshot; null until the worker sent the first one. Raw: snapshots are replaced, never mutated. */
  view = $state.raw<RoomView | null>(null);
  activity = $state.raw<ActivityItem[]>([]);
  /** The last failed action, in plain words; cleared by `dismiss()`. */
  notice = $state<string | null>(null);
  /** Actions in flight, so buttons can show progress and not be pressed twice. */
  busy = $state(0);

  readonly client: MachineClient;
  #displayName: string;
  readonly #unsubscribe: (() => void)[] = [];
  /** Whether the chat reactor was loaded at the last snapshot: (re)loading it announces this tab. */
  #inChat = false;

  constructor(client: MachineClient, displayName: string) {
    this.client = client;
    this.#displayName = displayName;
    this.#unsubscribe.push(
      client.subscribe((view) => {
        this.view = view;
        const chat = view.reactors.some((r) => r.name === 'chat' && r.loaded);
        if (chat && !this.#inChat) void this.act('Joining the chat', () => this.#joinChat());
        this.#inChat = chat;
      }),
      client.onActivity((items) => {
        if (items.length === 0) return;
        const fresh = items.slice().reverse();
        this.activity = fresh.concat(this.activity).slice(0, ACTIVITY_LIMIT);
      }),
    );
  }

  /** Run one user action; a failure becomes `notice` (shown in the UI) instead of a console error. */
  async act(label: string, action: () => Promise<unknown>): Promise<boolean> {
    this.busy++;
    try {
      await action();
      return true;
    } catch (error) {
      this.notice = `${label} failed: ${plainError(error)}`;
      return false;
    } finally {
      this.busy--;
    }
  }

  dismiss(): void {
    this.notice = null;
  }

  /** Rename this tab: membership (peers see it) and chat presence. */
  rename(name: string): Promise<boolean> {
    return this.act('Changing your name', async () => {
      await this.client.setDisplayName(name);
      this.#displayName = name;
      if (this.#inChat) await this.#joinChat();
    });
  }

  /** The person confirmed "Start a new history" (the tab waits for the room's history). */
  startNewHistory(): Promise<boolean> {
    return this.act('Starting a new history', () => this.client.startNewHistory());
  }

  async close(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.client.close();
  }

  /**
   * Announce this tab in the chat (presence, and `self` for direct messages). The worker loads the
   * reactors (autoload, or the set this tab had) and emits their seeds; the UI only says who it is.
   */
  #joinChat(): Promise<void> {
    return remoteEmitters(this.client, chat).join({ name: this.#displayName, at: Date.now() });
  }
}
