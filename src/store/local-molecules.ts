// Persistence of one peer's local molecules (and latched tokens), so a reload or a reopened room starts from
// the soup it had. The machine's events feed an append-only log (cheap: one small batch per burst of
// activity); every `compactEvery` entries the log is replaced by a snapshot taken from the machine's own
// soup, so start-up reads one snapshot plus a short tail however long the history, and any disagreement
// between the events and the soup (a run whose inputs went back) is corrected at the next snapshot.
// Distributed molecules are not here: the room's replica (src/dcm) persists those. Blocking molecules are
// never persisted: their callers are gone after a restart.
import type { Clock, TimerHandle } from '../core/clock';
import type { ReactorId } from '../core/ids';
import type { Machine, RestoredMolecule } from '../core/machine-api';
import { createCompactedLog, type CompactedLog } from './compacted-log';
import type { Store } from './store';

/** One change to the soup: a copy added, a copy removed, or a latched token set. */
interface Change {
  readonly r: string;
  readonly m: string;
  readonly op: '+' | '-' | '=';
  readonly v: unknown;
}

/** reactor id → molecule name → copies by canonical value (value and how many copies). */
type Soup = Record<string, Record<string, Record<string, { v: unknown; n: number }>>>;

export interface LocalMoleculesOptions {
  /** The peer's own key space (e.g. `scopeStore(store, 'peers/<id>/')`). */
  readonly store: Store;
  readonly clock: Clock;
  /** Background write failures (quota): surfaced, never swallowed. */
  readonly onError: (error: Error) => void;
  /** Changes between snapshots (default 1000). */
  readonly compactEvery?: number;
  /** How long changes gather before one batch is written (default 25 ms). */
  readonly flushMs?: number;
}

const keyOf = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? 'undefined';
  } catch {
    return String(v); // cyclic values are not expected in a soup; still count them
  }
};

function fold(soup: Soup, c: Change): Soup {
  const names = (soup[c.r] ??= {});
  const copies = (names[c.m] ??= {});
  const k = keyOf(c.v);
  if (c.op === '=') {
    names[c.m] = { [k]: { v: c.v, n: 1 } };
  } else if (c.op === '+') {
    const e = copies[k];
    if (e) e.n += 1;
    else copies[k] = { v: c.v, n: 1 };
  } else {
    const e = copies[k];
    if (e && --e.n <= 0) delete copies[k];
  }
  return soup;
}

export class LocalMolecules {
  readonly #log: CompactedLog<Soup, Change>;
  readonly #options: LocalMoleculesOptions;
  #pending: Change[] = [];
  #timer: TimerHandle | null = null;
  #writes: Promise<void> = Promise.resolve();

  private constructor(options: LocalMoleculesOptions) {
    this.#options = options;
    this.#log = createCompactedLog<Soup, Change>({
      store: options.store,
      prefix: 'local',
      initial: () => ({}),
      apply: fold,
      compactEvery: Number.MAX_SAFE_INTEGER, // compaction is driven here, from the machine's soup
      onError: options.onError,
    });
  }

  /** Read the snapshot and the log tail. */
  static async open(options: LocalMoleculesOptions): Promise<LocalMolecules> {
    const lm = new LocalMolecules(options);
    await lm.#log.open();
    return lm;
  }

  /** What to pass as `restore` when loading this reactor. */
  restoreFor(reactor: ReactorId): RestoredMolecule[] {
    const out: RestoredMolecule[] = [];
    for (const [name, copies] of Object.entries(this.#log.state()[reactor] ?? {})) {
      for (const { v, n } of Object.values(copies)) for (let i = 0; i < n; i++) out.push({ name, value: v });
    }
    return out;
  }

  /** Copies stored for a reactor (all names). */
  count(reactor: ReactorId): number {
    return this.restoreFor(reactor).length;
  }

  /** Follow the machine's local soup from now on. Returns a function that stops following. */
  follow(machine: Machine): () => void {
    const kindOf = (reactor: ReactorId, name: string): string | undefined => machine.get(reactor)?.definition.molecule(name)?.kind;
    const offs = [
      machine.on('emitted', (e) => {
        if (e.distributed) return;
        const kind = kindOf(e.reactor, e.molecule);
        if (kind === 'blocking' || kind === undefined) return;
        this.#add({ r: e.reactor, m: e.molecule, op: kind === 'latched' ? '=' : '+', v: e.value });
      }),
      machine.on('consumed', (e) => {
        if (e.distributed) return;
        const kind = kindOf(e.reactor, e.molecule);
        if (kind !== 'molecule') return;
        this.#add({ r: e.reactor, m: e.molecule, op: '-', v: e.value });
      }),
    ];
    this.#compactFrom = () => this.#soupOf(machine);
    return () => {
      for (const off of offs) off();
      this.#compactFrom = null;
    };
  }

  /** Write what is buffered now; resolves when it is durable. */
  flush(): Promise<void> {
    if (this.#timer) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length) {
      // append() folds and issues its write synchronously, so a snapshot taken later never races it.
      this.#track(this.#log.append(batch));
      if (this.#log.tail >= (this.#options.compactEvery ?? 1000)) void this.compact();
    }
    return this.#writes;
  }

  /** Snapshot the machine's soup (when following one) and drop the log. */
  compact(): Promise<void> {
    const truth = this.#compactFrom?.();
    if (truth) {
      // The soup already contains every buffered change: writing them after the snapshot would count
      // them twice.
      this.#pending = [];
      if (this.#timer) this.#options.clock.clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#track(this.#log.compact(truth));
    return this.#writes;
  }

  #track(write: Promise<void>): void {
    const { onError } = this.#options;
    const settled = write.catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));
    this.#writes = Promise.all([this.#writes, settled]).then(() => undefined);
  }

  /** Changes since the last snapshot: what the next start-up replays. */
  get tail(): number {
    return this.#log.tail + this.#pending.length;
  }

  #compactFrom: (() => Soup) | null = null;

  #add(change: Change): void {
    this.#pending.push(change);
    this.#timer ??= this.#options.clock.setTimeout(() => void this.flush(), this.#options.flushMs ?? 25);
  }

  /** The machine's local soup in the log's shape (the truth a snapshot records). */
  #soupOf(machine: Machine): Soup {
    let soup: Soup = {};
    for (const g of machine.molecules({ limit: Number.MAX_SAFE_INTEGER })) {
      if (g.distributed || g.kind === 'blocking') continue;
      for (const v of g.values) soup = fold(soup, { r: g.reactor, m: g.name, op: g.latched ? '=' : '+', v });
    }
    // Reactors stored but not loaded right now keep their stored state.
    for (const [r, names] of Object.entries(this.#log.state())) if (!machine.get(r as ReactorId)) soup[r] = names;
    return soup;
  }
}
