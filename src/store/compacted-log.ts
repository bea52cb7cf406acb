// An append-only log folded into a state, with periodic snapshot compaction, on top of the Store port.
// Start-up reads one snapshot plus a bounded tail (at most `compactEvery` entries), so it does not grow
// with history. Used for the local molecules of a peer (workers/) and available to src/dcm for the replica.
//
// Key layout under `prefix`:
//   <prefix>/snapshot                      { generation, state }
//   <prefix>/log/<generation>/<seq>        an array of entries appended in one batch
// Compaction writes the snapshot of generation g+1 and deletes log generation g in one batch; appends made
// meanwhile already go to generation g+1, so nothing is lost or applied twice even if the process dies
// between the two batches (load replays every generation at or after the snapshot's).
import type { Store, StoreOp } from './store';

export interface CompactedLogOptions<S, E> {
  readonly store: Store;
  /** Key prefix without a trailing slash, e.g. `peers/p1/local`. */
  readonly prefix: string;
  readonly initial: () => S;
  /** Fold one entry into the state (may mutate `state` and return it). */
  readonly apply: (state: S, entry: E) => S;
  /** Entries appended since the last snapshot that trigger compaction (default 1000). */
  readonly compactEvery?: number;
  /** Background compaction failures (quota!) go here; appends still succeed without compaction. */
  readonly onError?: (error: Error) => void;
}

export interface CompactedLog<S, E> {
  /** Read the snapshot and replay the tail. Call once, before anything else. */
  open(): Promise<S>;
  /** The folded state (live object: do not keep it across appends). */
  state(): S;
  /** Persist entries (plus optional extra ops) in one atomic batch, then fold them into the state. */
  append(entries: readonly E[], extra?: readonly StoreOp[]): Promise<void>;
  /**
   * Write a snapshot now and drop the log it covers. `rebase` replaces the folded state first: the owner
   * of the real state (e.g. the machine's soup) can correct any drift between the log and the truth.
   */
  compact(rebase?: S): Promise<void>;
  /** Entries in the log since the last snapshot (what the next start-up replays). */
  readonly tail: number;
  /** Resolves when every write issued so far (appends, background compactions) has settled. */
  settled(): Promise<void>;
}

interface Snapshot<S> {
  readonly generation: number;
  readonly state: S;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function createCompactedLog<S, E>(options: CompactedLogOptions<S, E>): CompactedLog<S, E> {
  const { store, prefix, apply } = options;
  const compactEvery = options.compactEvery ?? 1000;
  const snapshotKey = `${prefix}/snapshot`;
  const logPrefix = `${prefix}/log/`;
  let state = options.initial();
  let generation = 0;
  let seq = 0;
  let tail = 0;
  let opened = false;
  let compacting: Promise<void> | null = null;
  let writes: Promise<unknown> = Promise.resolve();
  const track = <T>(p: Promise<T>): Promise<T> => {
    writes = Promise.allSettled([writes, p]);
    return p;
  };

  const generationPrefix = (g: number): string => `${logPrefix}${pad(g, 10)}/`;

  const compact = (rebase?: S): Promise<void> => {
    if (rebase !== undefined) state = rebase;
    if (compacting) return compacting.then(() => compact());
    // Copy the state synchronously: later appends mutate it and belong to the next generation's log.
    const snap: Snapshot<S> = { generation: generation + 1, state: structuredClone(state) };
    const covered = generation;
    generation += 1;
    seq = 0;
    tail = 0;
    compacting = track(
      store.batch([
        { type: 'put', key: snapshotKey, value: snap },
        { type: 'delete-prefix', prefix: generationPrefix(covered) },
      ]),
    ).finally(() => {
      compacting = null;
    });
    return compacting;
  };

  return {
    async open() {
      if (opened) throw new Error(`compacted log ${prefix} opened twice`);
      opened = true;
      // One range read covers the snapshot and the log: a consistent view even if the previous owner's
      // last compaction lands while this one opens.
      const all = await store.range<unknown>(`${prefix}/`);
      const snap = all.find(([k]) => k === snapshotKey)?.[1] as Snapshot<S> | undefined;
      if (snap) {
        state = snap.state;
        generation = snap.generation;
      }
      const entries = all.filter(([k]) => k.startsWith(logPrefix)) as Array<readonly [string, E[]]>;
      for (const [key, batch] of entries) {
        const [g, s] = key.slice(logPrefix.length).split('/').map(Number);
        // Generations older than the snapshot were covered by it (their delete may not have committed).
        if (g === undefined || s === undefined || g < generation) continue;
        for (const e of batch) state = apply(state, e);
        tail += batch.length;
        if (g > generation) generation = g; // an append after a compaction whose snapshot never committed
        seq = s + 1;
      }
      return state;
    },
    state: () => state,
    get tail() {
      return tail;
    },
    async append(entries, extra = []) {
      if (!opened) throw new Error(`compacted log ${prefix}: append before open`);
      if (entries.length === 0 && extra.length === 0) return;
      const ops: StoreOp[] = [...extra];
      if (entries.length)
        ops.push({ type: 'put', key: `${generationPrefix(generation)}${pad(seq++, 12)}`, value: entries });
      // Fold before the write resolves, in call order: a compaction started while this write is in flight
      // then snapshots a state that already contains these entries, so deleting their generation is safe.
      // If the write fails, the entries stay in memory and the next snapshot persists them.
      for (const e of entries) state = apply(state, e);
      tail += entries.length;
      const written = track(store.batch(ops));
      if (tail >= compactEvery) {
        compact().catch((e: unknown) => options.onError?.(e instanceof Error ? e : new Error(String(e))));
      }
      await written;
    },
    compact,
    async settled() {
      // A compaction queued behind another starts only when that one settles: wait until nothing new appears.
      for (;;) {
        const seen = writes;
        await seen;
        await Promise.resolve();
        if (seen === writes && !compacting) return;
      }
    },
  };
}
