// The `ws` client a Node peer uses to reach its signaling server, with the options that matter for cost.
import WebSocket from 'ws';
import type { WebSocketLike } from '../mesh/signaling-client';

/**
 * A zero masking key: RFC 6455 masks client frames so a script in a *browser* cannot choose the bytes a
 * confused proxy sees; a Node peer is no browser script, and what it relays is JSON text (no raw CR/LF
 * can appear in it), the same text the server sends every client unmasked. With a zero key `ws` skips the
 * XOR pass over every byte on both ends and writes the string without copying it into a Buffer first.
 */
const zeroMask = (mask: Uint8Array): void => {
  mask.fill(0);
};

/**
 * `ws` behind the browser's WebSocket shape (what SignalingClient uses), listening with `ws`'s own events:
 * its `onmessage` attribute wraps every frame in a MessageEvent, one more object per frame for nothing.
 */
class NodeWs implements WebSocketLike {
  readonly #ws: WebSocket;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;

  constructor(url: string) {
    const ws = new WebSocket(url, { generateMask: zeroMask, perMessageDeflate: false });
    this.#ws = ws;
    ws.on('open', () => this.onopen?.({}));
    ws.on('message', (data, isBinary) => this.onmessage?.({ data: isBinary ? data : data.toString() }));
    ws.on('error', (error) => this.onerror?.({ error }));
    ws.on('close', (code, reason) => this.onclose?.({ code, reason: reason.toString() }));
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  /** The socket under `ws`, for corkForTick (protocol/cork.ts): a burst of frames leaves in one write. */
  get _socket(): unknown {
    return (this.#ws as unknown as { _socket?: unknown })._socket;
  }

  send(data: string): void {
    this.#ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}

export const nodeWsSocket = (url: string): WebSocketLike => new NodeWs(url);
