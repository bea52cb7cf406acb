// The UI's live copy of one room: the latest RoomView snapshot and the recent activity, as Svelte state.
// Components read from here and call `act(...)` for every user action, so an error anywhere turns into one
// plain-words notice instead of an unhandled rejection. No business logic: that lives in the reactors.
import type { ActivityItem, MachineClient, RoomView } from '../bridge/types';
import { exampleReactors } from '../../reactors/index';
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
  readonly #displayName: string;
  readonly #unsubscribe: (() => void)[] = [];
  #bootstrapped = false;

  constructor(client: MachineClient, displayName: string) {
    this.client = client;
    this.#displayName = displayName;
    this.#unsubscribe.push(
      client.subscribe((view) => {
        this.view = view;
        if (!this.#bootstrapped) {
          this.#bootstrapped = true;
          void this.act('Starting the examples', () => this.#bootstrap(view));
        }
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
      await this.client.emit('chat', 'join', { name, at: Date.now() });
    });
  }

  async close(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.client.close();
  }

  /**
   * Load the example reactors this tab does not host yet, emit their seeds (see SeedMolecule) and announce
   * this peer in the chat. Runs once per page load.
   */
  async #bootstrap(view: RoomView): Promise<void> {
    const loaded = view.reactors.filter((r) => r.loaded).map((r) => r.name);
    for (const [name, example] of Object.entries(exampleReactors)) {
      if (!example.autoload) continue;
      if (!loaded.includes(name)) await this.client.load(name);
      for (const seed of example.seed) await this.client.emit(name, seed.molecule, seed.value);
    }
    await this.client.emit('chat', 'join', { name: this.#displayName, at: Date.now() });
  }
}
