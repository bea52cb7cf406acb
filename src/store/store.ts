// The Store port: an async, transactional key-value store. Keys are '/'-separated paths
// ("replica/log/000123"); range() returns keys in lexicographic order. Values are structured-clonable.
export type StoreOp =
  | {
      readonly type: 'put';
      readonly key: string;
      readonly value: unknown;
      /**
       * The caller never mutates this value (nor anything in it) after the put: immutable log data. A store
       * that keeps values in memory may keep this one without copying it (loads still hand out copies).
       * Stores that serialize (IndexedDB, disk) ignore it.
       */
      readonly frozen?: boolean;
    }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'delete-prefix'; readonly prefix: string }
  /**
   * Read-modify-write inside the batch's transaction: stores `merge(value at key)` (undefined when absent;
   * earlier ops of the same batch are seen). Nothing else writes between the read and the write, in this
   * connection or any other (another tab, another connection of one folder). A throw aborts the whole batch.
   * Records that must only move forward (a promised ballot, a commit index) are written this way, so two
   * processes sharing one store never roll back each other's writes.
   */
  | {
      readonly type: 'merge';
      readonly key: string;
      readonly merge: (stored: unknown) => unknown;
      /** As for a put: `merge` never mutates the value it is given, nor the one it returns afterwards. */
      readonly frozen?: boolean;
    };

export interface Store {
  load<T>(key: string): Promise<T | undefined>;
  save(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
  /** Entries whose key starts with prefix, ordered by key. */
  range<T>(prefix: string): Promise<Array<readonly [string, T]>>;
  /** All ops commit together or none do: a crash mid-batch leaves the previous state. */
  batch(ops: readonly StoreOp[]): Promise<void>;
  close(): Promise<void>;
}

/** Thrown (and surfaced to the UI) when the browser refuses to store more. */
export class StoreQuotaError extends Error {
  override readonly name = 'StoreQuotaError';
}
/** Thrown when another tab holds an older schema version open and blocks the upgrade. */
export class StoreBlockedError extends Error {
  override readonly name = 'StoreBlockedError';
}
