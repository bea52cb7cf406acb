// The ICE configuration the server hands its clients: STUN servers, and TURN credentials that expire, made
// with the TURN REST scheme (draft-uberti-behave-turn-rest) that coturn implements as `use-auth-secret`:
//   username   = "<expiry unix seconds>:<label>"
//   credential = base64(HMAC-SHA1(static-auth-secret, username))
// The TURN server checks the HMAC and the expiry itself; nothing is shared with it but the secret.
import { createHmac } from 'node:crypto';

export interface IceSettings {
  readonly stun: readonly string[];
  readonly turn: readonly string[];
  readonly turnSecret?: string;
  /** Lifetime of a credential, in seconds. */
  readonly turnTtlSeconds: number;
  /** 'relay' makes clients use TURN only (their addresses stay hidden from each other). */
  readonly iceTransportPolicy?: 'all' | 'relay';
}

export interface IceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** What GET /ice answers: an RTCConfiguration subset plus how long the credentials live. */
export interface IceConfig {
  readonly iceServers: readonly IceServer[];
  readonly iceTransportPolicy: 'all' | 'relay';
  /** Seconds until the TURN credential expires (clients fetch a fresh one before). */
  readonly ttl: number;
}

export function turnCredential(
  secret: string,
  label: string,
  expiresAtSeconds: number,
): { username: string; credential: string } {
  const username = `${expiresAtSeconds}:${label}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The configuration for one client at `nowMs` (wall clock); `label` names it in the TURN server's logs. */
export function iceConfig(settings: IceSettings, nowMs: number, label: string): IceConfig {
  const servers: IceServer[] = [];
  if (settings.stun.length > 0) servers.push({ urls: settings.stun });
  if (settings.turn.length > 0 && settings.turnSecret) {
    const expires = Math.floor(nowMs / 1000) + settings.turnTtlSeconds;
    servers.push({ urls: settings.turn, ...turnCredential(settings.turnSecret, label, expires) });
  }
  return {
    iceServers: servers,
    iceTransportPolicy: settings.iceTransportPolicy ?? 'all',
    ttl: settings.turnTtlSeconds,
  };
}
