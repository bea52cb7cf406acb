// Validate a discriminated union by looking its member up by `type` first. valibot's `variant` tries its
// options one by one; with a dozen or more message types that walk was a measurable share of every
// message's cost on the relay and the peers. Same result, same schemas: only the dispatch is a Map lookup.
import * as v from 'valibot';

type Member = v.ObjectSchema<
  { readonly type: v.LiteralSchema<string, undefined> } & v.ObjectEntries,
  undefined
>;

/** The members of `v.variant('type', members)` by their `type` literal. */
export function schemasByType<const T extends readonly Member[]>(
  members: T,
): ReadonlyMap<unknown, T[number]> {
  return new Map<unknown, T[number]>(members.map((m) => [m.entries.type.literal, m]));
}

/** A `safeParse` for `v.variant('type', members)`: the member for the value's `type`, or null. */
export function parserByType<const T extends readonly Member[]>(
  members: T,
): (raw: unknown) => v.InferOutput<T[number]> | null {
  const byType = schemasByType(members);
  return (raw) => {
    if (typeof raw !== 'object' || raw === null) return null;
    const schema = byType.get((raw as { type?: unknown }).type);
    if (!schema) return null;
    const r = v.safeParse(schema, raw);
    return r.success ? (r.output as v.InferOutput<T[number]>) : null;
  };
}
