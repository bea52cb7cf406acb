// How the Redis-shared rooms name things in Redis (keys and channels, one hash slot per room) and the shapes
// stored there: a member record, a lease state. The scripts (./scripts) read and write the same keys.
import type { Redis } from 'ioredis';
import type { LeaseSnapshot } from '../room-lease';

/** Where a member is connected: its connection (instance) id and the server (instance of kinetic-signal). */
export interface MemberRec {
  readonly i: string;
  readonly s: string;
}

export interface LeaseState extends LeaseSnapshot {
  readonly expiresIn: number;
}

export type RoomKeys = [string, string, string];

/** Members, lease and epoch counter of a room (one hash tag: one slot in a cluster). */
export const roomKeys = (room: string): RoomKeys => [
  `kinetic:{${room}}:m`,
  `kinetic:{${room}}:l`,
  `kinetic:{${room}}:c`,
];
export const roomChannel = (room: string): string => `kinetic:{${room}}:e`;
/** The room of a room channel, or null for another channel. */
export const roomOfChannel = (channel: string): string | null =>
  /^kinetic:\{(.*)\}:e$/.exec(channel)?.[1] ?? null;
export const serverChannel = (sid: string): string => `kinetic:srv:${sid}`;
export const aliveKey = (sid: string): string => `kinetic:srv:${sid}:alive`;

export function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export const toSnapshot = (s: LeaseState): LeaseSnapshot => ({
  holder: s.holder === '' ? null : s.holder,
  epoch: s.epoch,
  ttlMs: s.ttlMs,
});

export type ScriptFn = (keys: RoomKeys, args: (string | number)[]) => Promise<unknown>;

export interface RoomScripts {
  readonly join: ScriptFn;
  readonly lease: ScriptFn;
  readonly reap: ScriptFn;
  readonly restore: ScriptFn;
  readonly history: ScriptFn;
}

/** The Lua scripts, defined on `cmd` and callable with a room's keys. */
export function defineScripts(
  cmd: Redis,
  lua: { readonly join: string; readonly lease: string; readonly reap: string; readonly restore: string; readonly history: string },
): RoomScripts {
  const define = (name: string, source: string): ScriptFn => {
    cmd.defineCommand(name, { numberOfKeys: 3, lua: source });
    const fn = (cmd as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!.bind(cmd);
    return (k, args) => fn(...k, ...args);
  };
  return {
    join: define('kJoin', lua.join),
    lease: define('kLease', lua.lease),
    reap: define('kReap', lua.reap),
    restore: define('kRestore', lua.restore),
    history: define('kHistory', lua.history),
  };
}
