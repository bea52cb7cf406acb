// Which web pages may open a WebSocket to this server. Browsers always send Origin on a WebSocket handshake;
// a request without one comes from a non-browser client (a Node peer, a CLI), which a page cannot forge.
export function originAllowed(allowed: readonly string[] | null, origin: string | undefined): boolean {
  if (allowed === null || origin === undefined) return true;
  return allowed.includes(origin.toLowerCase().replace(/\/$/, ''));
}
