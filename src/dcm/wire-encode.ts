// JSON text of outgoing protocol messages for transports that take text (Transport.sendEncoded): a message
// sent to several peers in one turn is encoded once, and a log entry once however many appends carry it —
// to every replica, and again on a resend. Before, the sequencer encoded each append once per replica. An
// append's entries are kept joined too, by their first entry: the appends of one flush carry the same runs
// of entries to every replica that is caught up, and each of them reuses that text instead of joining again.
// Entries go in their compact wire form (wire-entry.ts).
import type { ProtocolFaults } from './context';
import type { Entry } from './entries';
import { PROTOCOL_VERSION, type Message } from './messages';
import { entryText } from './wire-entry';

/** Where an append's entries go in the text of its other fields (`entries` replaced by 0, see below). */
const ENTRIES_SLOT = '"entries":0';

export class MessageEncoder {
  /** Entries are immutable once in the log: their text is kept as long as they are. */
  readonly #entries = new WeakMap<object, string>();
  /** The joined text of the last run of entries encoded from each first entry (kept as long as that entry is). */
  readonly #runs = new WeakMap<object, { readonly entries: readonly object[]; readonly text: string }>();

  /** `faults`: the mutation test's deliberately broken variants (context.ts). */
  constructor(private readonly faults: ProtocolFaults = {}) {}

  /** JSON text of one message (throws as JSON.stringify does on a value that is not JSON). */
  encode(m: Message): string {
    if (m.type !== 'append' || m.entries.length === 0) return JSON.stringify(m);
    const head = JSON.stringify({ ...m, entries: 0 });
    // Inside a JSON string every quote is escaped, so the first unescaped `"entries":0` after `,` or `{` is the key.
    const at = head.indexOf(ENTRIES_SLOT);
    if (at <= 0 || (head[at - 1] !== ',' && head[at - 1] !== '{')) return JSON.stringify(m);
    return `${head.slice(0, at)}"entries":[${this.#joined(m.entries)}]${head.slice(at + ENTRIES_SLOT.length)}`;
  }

  /** The entries' texts joined by commas: the text of the run kept when these are the same entry objects. */
  #joined(entries: readonly Entry[]): string {
    const first = entries[0] as Entry;
    const run = this.#runs.get(first);
    if (run && sameObjects(entries, run.entries)) return run.text;
    const texts = new Array<string>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as Entry;
      let t = this.#entries.get(e);
      if (t === undefined) this.#entries.set(e, (t = entryText(this.faults.lossyCommitText === true && e.type === 'commit' ? { ...e, consumed: [] } : e)));
      texts[i] = t;
    }
    const text = texts.join(',');
    this.#runs.set(first, { entries: entries.slice(), text });
    return text;
  }

  /** JSON text of a batch of messages already encoded (outgoing.ts). */
  batch(texts: readonly string[]): string {
    return `{"v":${PROTOCOL_VERSION},"type":"batch","messages":[${texts.join(',')}]}`;
  }
}

/** The same objects in the same order (entries are immutable once in the log: the same object, the same text). */
function sameObjects(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
