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

export const nodeWsSocket = (url: string): WebSocketLike => new WebSocket(url, { generateMask: zeroMask, perMessageDeflate: false }) as unknown as WebSocketLike;
