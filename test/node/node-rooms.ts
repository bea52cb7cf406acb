// Node peers in rooms against a real signaling server, for tests: one server per test (port 0), peers joined
// with `joinRoom` from 'kinetic-mesh/node', each with its own temporary data folder; after each test every peer
// still open is closed, the server stopped and the folders removed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling-server/src/index';
import type { JoinedRoom, ReactorSet } from '../../src/join/types';
import { joinRoom, type NodeJoinOptions } from '../../src/node/join';

type Closable = Pick<JoinedRoom, 'close'>;

export interface NodeRooms {
  /** A room link on this test's signaling server (started by the first call, with these options). */
  link(room: string, server?: Omit<SignalingServerOptions, 'port'>): Promise<string>;
  /** The server the links point at (after `link`). */
  server(): SignalingServer;
  /** A fresh data folder, removed after the test. */
  tmp(): string;
  /** `joinRoom` in a fresh data folder (unless `options.data` names one); closed after the test. */
  join<R extends ReactorSet = Record<never, never>, U extends ReactorSet = Record<never, never>>(link: string, options?: NodeJoinOptions<R, U>): Promise<JoinedRoom<R, U>>;
  /** Close a peer now (it is no longer closed after the test). */
  leave(peer: Closable): Promise<void>;
}

/** Call at a test file's top level: registers the cleanup with `afterEach`. */
export function nodeRooms(prefix = 'kinetic-node-'): NodeRooms {
  let server: SignalingServer | null = null;
  const open: Closable[] = [];
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close().catch(() => undefined)));
    await server?.close();
    server = null;
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  return {
    async link(room, options = {}) {
      server ??= createSignalingServer({ ...options, port: 0 });
      await server.ready;
      return `http://127.0.0.1:${server.address().port}/#room=${room}&key=secret-key`;
    },
    server() {
      if (!server) throw new Error('nodeRooms: no server yet (call link() first)');
      return server;
    },
    tmp,
    async join<R extends ReactorSet = Record<never, never>, U extends ReactorSet = Record<never, never>>(link: string, options: NodeJoinOptions<R, U> = {}) {
      const peer = await joinRoom<R, U>(link, { data: tmp(), ...options });
      open.push(peer);
      return peer;
    },
    async leave(peer) {
      const i = open.indexOf(peer);
      if (i >= 0) open.splice(i, 1);
      await peer.close();
    },
  };
}
