// Ids for things people create (a todo, a message, a map/reduce run). Time first, so ids sort by creation,
// then randomness, so two peers creating at the same millisecond never collide.
export function newId(now: number = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  let tail = '';
  for (const b of bytes) tail += b.toString(16).padStart(2, '0');
  return `${now.toString(36)}-${tail}`;
}
