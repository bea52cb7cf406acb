// Shared by the signaling client (Node peers) and the signaling server.
/**
 * Node's `ws`: frames sent in one synchronous stretch (a relay burst, a fan-out to every peer) leave in one
 * socket write instead of one writev each; the socket is uncorked on the next tick. No-op in browsers.
 */
const corkedSockets = new WeakSet<object>();
export function corkForTick(ws: unknown): void {
  const socket = (ws as { _socket?: { cork?: () => void; uncork?: () => void } | null })._socket;
  if (!socket?.cork || !socket.uncork || corkedSockets.has(socket) || typeof process === 'undefined') return;
  const uncork = socket.uncork.bind(socket);
  corkedSockets.add(socket);
  socket.cork();
  process.nextTick(() => {
    corkedSockets.delete(socket);
    uncork();
  });
}
