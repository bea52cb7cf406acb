// Preload (node --import): a bare `server.listen(port)` binds 127.0.0.1. Runs y-webrtc's unmodified
// bin/server.js on loopback, as the anchors harness does (shared/anchors-bench/servers/listen-loopback.mjs).
import net from 'node:net';
const orig = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const p = args[0];
  const isPort = typeof p === 'number' || (typeof p === 'string' && /^\d+$/.test(p));
  if (isPort && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return orig.apply(this, args);
};
