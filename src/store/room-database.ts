// One IndexedDB database per room, named from a hash of the room id: two rooms never share keys, and the
// room's name (which may be a secret link) does not appear in the browser's storage listing.

/** Prefix of every Kinetic Mesh database name (lets a tool find and clear them). */
export const DATABASE_PREFIX = 'kinetic-mesh/';

/** Database name for a room: `kinetic-mesh/<first 32 hex digits of SHA-256(room)>`. */
export async function databaseNameFor(room: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`kinetic-mesh room ${room}`));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return DATABASE_PREFIX + hex.slice(0, 32);
}
