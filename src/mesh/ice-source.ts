// The ICE configuration a signaling server hands out on GET /ice (STUN servers, expiring TURN credentials, and
// the transport policy), fetched next to the signaling URL and refreshed before the credentials expire. A
// server without /ice, or one that cannot be reached, leaves WebRTC with host candidates only: the server relay
// still carries the room.
import * as v from 'valibot';
import type { Clock, TimerHandle } from '../core/clock';
import type { IceSettings } from './ice-server';

const Urls = v.union([
  v.pipe(v.string(), v.maxLength(2000)),
  v.pipe(v.array(v.pipe(v.string(), v.maxLength(2000))), v.maxLength(32)),
]);
const IceAnswer = v.object({
  iceServers: v.pipe(
    v.array(
      v.object({
        urls: Urls,
        username: v.optional(v.pipe(v.string(), v.maxLength(512))),
        credential: v.optional(v.pipe(v.string(), v.maxLength(512))),
      }),
    ),
    v.maxLength(16),
  ),
  iceTransportPolicy: v.optional(v.picklist(['all', 'relay'])),
  ttl: v.optional(v.pipe(v.number(), v.minValue(0))),
});


/** ws(s)://host/…/signal → http(s)://host/…/ice; null when the URL is not a WebSocket URL. */
export function iceUrlFor(signalingUrl: string): string | null {
  try {
    const u = new URL(signalingUrl);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return null;
    u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    u.pathname = u.pathname.replace(/\/signal$/, '') + '/ice';
    u.pathname = u.pathname.replace(/\/{2,}/g, '/');
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return null;
  }
}

type FetchLike = (
  url: string,
  init: { signal: AbortSignal; credentials: 'omit' },
) => Promise<{ ok: boolean; json(): Promise<unknown> }>;

/** One fetch of /ice: the settings and their lifetime in seconds, or null (no server support, bad answer). */
export async function fetchIce(
  url: string,
  fetchFn: FetchLike,
  timeoutMs = 3000,
): Promise<{ settings: IceSettings; ttl: number } | null> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await fetchFn(url, { signal: abort.signal, credentials: 'omit' });
    if (!res.ok) return null;
    const parsed = v.safeParse(IceAnswer, await res.json());
    if (!parsed.success) return null;
    const { iceServers, iceTransportPolicy, ttl } = parsed.output;
    const servers = iceServers.map((s) => ({
      urls: s.urls,
      ...(s.username ? { username: s.username } : {}),
      ...(s.credential ? { credential: s.credential } : {}),
    }));
    return {
      settings: { iceServers: servers, ...(iceTransportPolicy ? { iceTransportPolicy } : {}) },
      ttl: ttl ?? 0,
    };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

export interface IceSource {
  /** The settings for a link made now. */
  current(): IceSettings;
  dispose(): void;
}

/**
 * Fetch once (awaited, so the first links already have TURN), then again at half the credentials' lifetime.
 * A failed refresh keeps the last good settings and tries again in a minute.
 */
export async function loadIceSource(
  signalingUrl: string,
  fetchFn: FetchLike,
  clock: Clock,
): Promise<IceSource> {
  const url = iceUrlFor(signalingUrl);
  let settings: IceSettings = { iceServers: [] };
  let timer: TimerHandle | null = null;
  let disposed = false;
  const load = async (): Promise<void> => {
    const got = url ? await fetchIce(url, fetchFn) : null;
    if (disposed) return;
    if (got) settings = got.settings;
    // Only credentials that expire need refreshing; without TURN one fetch is enough.
    const hasTurn = settings.iceServers.some((s) => s.username !== undefined);
    if (got && !hasTurn) return;
    if (!got && !hasTurn) return;
    const delayMs = got && got.ttl > 0 ? Math.max(30_000, (got.ttl * 1000) / 2) : 60_000;
    timer = clock.setTimeout(() => void load(), delayMs);
  };
  await load();
  return {
    current: () => settings,
    dispose() {
      disposed = true;
      if (timer) clock.clearTimeout(timer);
    },
  };
}
