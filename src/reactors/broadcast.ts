// Broadcast, as in Chymyst's DCM chapter: a message every peer — including peers that join later — sees
// exactly once, and answers to the driver, which learns who is in the room.
//
// `broadcast` is distributed and always put back, so it keeps travelling from peer to peer. What stops a
// peer from seeing it twice is the local `see` token: each peer emits one `see` and the reaction consumes
// it, so `hear` can run once per peer. Each hearing emits a distributed `response`; only the driver holds
// the local `peers` list, so only the driver's `collect` can consume the responses.
// `leave` is the chapter's exercise: tell the driver a peer left for good.
import { reactor } from '../core/reactor';

export interface BroadcastHeard {
  readonly peer: string;
  readonly message: string;
}

export const broadcast = reactor({ name: 'broadcast', version: '1.0.0', module: import.meta.url }, (r) => {
  const message = r.molecule<string>('broadcast', { distributed: true });
  const see = r.molecule('see');
  const heard = r.molecule<string>('heard');
  const response = r.molecule<BroadcastHeard>('response', { distributed: true });
  const leave = r.molecule<string>('leave', { distributed: true });
  const peers = r.molecule<readonly string[]>('peers');
  const list = r.blocking<void, readonly string[]>('list');

  r.react('hear', [message, see], ([m], out, ctx) => {
    out(message, m);
    out(heard, m);
    out(response, { peer: ctx.peer, message: m });
  });
  r.react('collect', [peers, response], ([ps, res], out) => out(peers, ps.includes(res.peer) ? ps : [...ps, res.peer]));
  r.react('leave', [peers, leave], ([ps, gone], out) => out(peers, ps.filter((p) => p !== gone)));
  r.react('list', [peers, list], ([ps, call], out) => {
    out(peers, ps);
    call.reply(ps);
  });

  return { message, see, heard, response, leave, peers, list };
});
