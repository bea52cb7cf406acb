// Shared message framing for every link: JSON values of any size become frames under the channel's limit,
// sent in order with backpressure, and reassembled on the other side. One implementation for all adapters.
//
// Frames are strings (every channel here carries text, and JSON is text already):
//   "m<json>"              a whole message (the hot path: one concat, no copies)
//   "s<total>,<part>"      first chunk of a message whose JSON is <total> UTF-16 units long
//   "c<part>"              next chunk
// Links are ordered (SCTP ordered channels, BroadcastChannel, WebSocket), and a sender never interleaves two
// messages, so the receiver needs just one partial buffer.

/** Where frames go: a data channel, a BroadcastChannel, a relay socket. */
export interface FrameSink {
  send(frame: string): void;
  /** Bytes queued in the channel but not yet on the wire (0 when the channel has no such notion). */
  bufferedAmount(): number;
  /** Call `resume` once when the channel has drained below its low-water mark. */
  onceDrained(resume: () => void): void;
  /** False while the channel is closing (its close event has not arrived yet): sends would throw. */
  isOpen?(): boolean;
}

export interface FramingOptions {
  /** Largest frame in bytes (UTF-8). Data channels are safe at 64 KiB across browsers. */
  readonly maxFrameBytes?: number;
  /** Stop handing frames to the channel while this many bytes are buffered in it. */
  readonly highWaterMark?: number;
}

export const DEFAULT_FRAME_BYTES = 64 * 1024;
export const DEFAULT_HIGH_WATER = 1024 * 1024;
/** Reassembly cap: a peer cannot make us buffer more than this for one message. */
export const MAX_MESSAGE_CHARS = 64 * 1024 * 1024;

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** Split a JSON text into frames no larger than maxFrameBytes when UTF-8 encoded. */
export function toFrames(json: string, maxFrameBytes = DEFAULT_FRAME_BYTES): string[] {
  if (json.length + 1 <= maxFrameBytes / 3) return ['m' + json];
  // A UTF-16 unit is at most 3 UTF-8 bytes; ASCII text is exactly 1 — worth checking (one scan), it triples
  // chunk size.
  const ascii = !NON_ASCII.test(json);
  if (ascii && json.length + 1 <= maxFrameBytes) return ['m' + json];
  const header = 24;
  const unitBytes = ascii ? 1 : 3;
  const step = Math.floor((maxFrameBytes - header) / unitBytes);
  const frames: string[] = [];
  let at = 0;
  while (at < json.length) {
    let end = Math.min(json.length, at + step);
    // Never split a surrogate pair: each half alone would be replaced by U+FFFD on the wire.
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end--;
    const part = json.slice(at, end);
    frames.push(at === 0 ? `s${json.length},${part}` : 'c' + part);
    at = end;
  }
  return frames;
}

/** Sends values over one sink in order, pausing while the channel's buffer is above the high-water mark. */
export class FramedSender {
  readonly #queue: string[] = [];
  #head = 0;
  #waiting = false;
  /**
   * Room left under the high-water mark as of the channel's last answer, less what we handed it since: the
   * channel only drains meanwhile, so this is a safe bound, and the channel is asked again only when it runs
   * out (asking is a blocking thread hop per call in @roamhq/wrtc, and was one or two per message). Counted in
   * UTF-16 units: non-ASCII text can fill the channel to 3× the mark, far below its 16 MiB limit.
   */
  #credit = 0;
  readonly #maxFrameBytes: number;
  readonly #highWater: number;

  constructor(
    private readonly sink: FrameSink,
    opts: FramingOptions = {},
  ) {
    this.#maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_FRAME_BYTES;
    this.#highWater = opts.highWaterMark ?? DEFAULT_HIGH_WATER;
  }

  /**
   * Queue a JSON-compatible value. Never throws: a value that cannot be encoded (too deep for the engine's
   * stack, cyclic, a BigInt, undefined) returns the reason and nothing is queued — one message lost, never the
   * process. Null when the value was queued.
   */
  send(value: unknown): string | null {
    const json = encode(value);
    if (typeof json !== 'string') return json.why;
    this.sendJson(json);
    return null;
  }

  /** Queue a value already encoded as JSON text (the caller vouches that it is: it is not parsed here). */
  sendJson(json: string): void {
    const frames = toFrames(json, this.#maxFrameBytes);
    // Nothing queued means no drain is awaited either (a wait always leaves frames in the queue).
    if (frames.length === 1 && this.#head === this.#queue.length && this.#hasRoom()) {
      const frame = frames[0] as string;
      this.sink.send(frame); // hot path: nothing queued, room in the channel
      this.#credit -= frame.length;
      return;
    }
    for (const f of frames) this.#queue.push(f);
    // While a drain is awaited, the frames wait behind the queue: one waiter per drain, not one per send
    // (a waiter per send multiplied listeners and timers, and every drain woke them all).
    if (!this.#waiting) this.#flush();
  }

  /** Frames waiting for the channel to drain. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  readonly #drained = (): void => {
    this.#waiting = false;
    this.#flush();
  };

  /** True while the channel holds less than the high-water mark (asked only when the credit is spent). */
  #hasRoom(): boolean {
    if (this.#credit > 0) return true;
    this.#credit = this.#highWater - this.sink.bufferedAmount();
    return this.#credit > 0;
  }

  #flush(): void {
    // A channel that closed while frames waited: they die with it, as in-flight messages do. Asked once per
    // flush: a channel's state changes between turns, not within this loop.
    const open = this.sink.isOpen?.() !== false;
    while (this.#head < this.#queue.length) {
      if (!this.#hasRoom()) {
        this.#waiting = true;
        this.sink.onceDrained(this.#drained);
        return;
      }
      const frame = this.#queue[this.#head++] as string;
      if (open) this.sink.send(frame);
      this.#credit -= frame.length;
    }
    this.#queue.length = 0;
    this.#head = 0;
  }
}

/** JSON text of a value, or why it has none (JSON.stringify throws on cycles, BigInt and deep nesting). */
function encode(value: unknown): string | { why: string } {
  try {
    const json = JSON.stringify(value) as string | undefined;
    return json === undefined ? { why: 'not a JSON value (undefined, a function or a symbol)' } : json;
  } catch (err) {
    return { why: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** Outcome of one inbound frame. */
export type Assembled = { readonly kind: 'message'; readonly value: unknown } | { readonly kind: 'partial' } | { readonly kind: 'invalid'; readonly why: string };

const PARTIAL: Assembled = { kind: 'partial' };

/** Reassembles frames from one sender into values. Invalid input yields `invalid`, never an exception. */
export class FrameAssembler {
  #parts: string[] = [];
  #have = 0;
  #total = -1;

  push(frame: unknown): Assembled {
    if (typeof frame !== 'string' || frame.length === 0) return invalid('not a text frame');
    const tag = frame.charCodeAt(0);
    if (tag === 109 /* m */) {
      if (this.#total >= 0) this.#reset(); // a sender restarted mid-message: the partial is lost, not merged
      return parse(frame.slice(1));
    }
    if (tag === 115 /* s */) {
      const comma = frame.indexOf(',');
      const total = Number(frame.slice(1, comma));
      if (comma < 2 || !Number.isInteger(total) || total <= 0 || total > MAX_MESSAGE_CHARS) return invalid('bad chunk header');
      this.#parts = [frame.slice(comma + 1)];
      this.#have = frame.length - comma - 1;
      this.#total = total;
    } else if (tag === 99 /* c */) {
      if (this.#total < 0) return invalid('continuation without a start');
      this.#parts.push(frame.slice(1));
      this.#have += frame.length - 1;
    } else return invalid('unknown frame tag');
    if (this.#have < this.#total) return PARTIAL;
    const text = this.#parts.join('');
    const over = this.#have > this.#total;
    this.#reset();
    return over ? invalid('chunks longer than announced') : parse(text);
  }

  #reset(): void {
    this.#parts = [];
    this.#have = 0;
    this.#total = -1;
  }
}

function parse(text: string): Assembled {
  try {
    return { kind: 'message', value: JSON.parse(text) as unknown };
  } catch {
    return invalid('bad JSON');
  }
}

const invalid = (why: string): Assembled => ({ kind: 'invalid', why });
