// JSON text of outgoing protocol messages for transports that take text (Transport.sendEncoded): a message
// sent to several peers in one turn is encoded once, and a log entry once however many appends carry it —
// to every replica, and again on a resend. Before, the sequencer encoded each append once per replica.
import { PROTOCOL_VERSION, type Message } from './messages';

/** Where an append's entries go in the text of its other fields (`entries` replaced by 0, see below). */
const ENTRIES_SLOT = '"entries":0';

export class MessageEncoder {
  /** Entries are immutable once in the log: their text is kept as long as they are. */
  readonly #entries = new WeakMap<object, string>();

  /** JSON text of one message (throws as JSON.stringify does on a value that is not JSON). */
  encode(m: Message): string {
    if (m.type !== 'append' || m.entries.length === 0) return JSON.stringify(m);
    const head = JSON.stringify({ ...m, entries: 0 });
    // Inside a JSON string every quote is escaped, so the first unescaped `"entries":0` after `,` or `{` is the key.
    const at = head.indexOf(ENTRIES_SLOT);
    if (at <= 0 || (head[at - 1] !== ',' && head[at - 1] !== '{')) return JSON.stringify(m);
    const texts = new Array<string>(m.entries.length);
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i] as object;
      let t = this.#entries.get(e);
      if (t === undefined) this.#entries.set(e, (t = JSON.stringify(e)));
      texts[i] = t;
    }
    return `${head.slice(0, at)}"entries":[${texts.join(',')}]${head.slice(at + ENTRIES_SLOT.length)}`;
  }

  /** JSON text of a batch of messages already encoded (outgoing.ts). */
  batch(texts: readonly string[]): string {
    return `{"v":${PROTOCOL_VERSION},"type":"batch","messages":[${texts.join(',')}]}`;
  }
}
