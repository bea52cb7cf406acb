// The room's RoomRecordClient: a stable object for the app that forwards to whichever signaling client the
// room's current session uses (as LeaseMirror does for the lease), and keeps this peer's history report so a
// new session's client tells it too.
import type { RoomRecordClient, RoomRecordView } from '../room-record';
import type { SignalingClient } from '../signaling-client';

export class RecordMirror implements RoomRecordClient {
  #client: SignalingClient | null = null;
  #off: (() => void) | null = null;
  #record: RoomRecordView | null = null;
  #history: { genesis: string; started: boolean } | null = null;
  readonly #listeners = new Set<(r: RoomRecordView) => void>();

  /** Point at the session's client (null while the room is not joined). */
  bind(client: SignalingClient | null): void {
    this.#off?.();
    this.#off = null;
    this.#client = client;
    if (!client) return;
    this.#off = client.onRecord((r) => {
      this.#record = r;
      for (const l of this.#listeners) l(r);
    });
    if (this.#history) client.reportHistory(this.#history.genesis, this.#history.started);
  }

  get record(): RoomRecordView | null {
    return this.#record;
  }

  onRecord(listener: (record: RoomRecordView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  reportHistory(genesis: string, started: boolean): void {
    this.#history = { genesis, started };
    this.#client?.reportHistory(genesis, started);
  }
}
