// Messages between the reaction pool (where the machine runs) and its pool workers. Both sides are our
// own code, but a worker may run a broken or hostile reactor module, so the pool validates what comes back
// (parse → value or null; invalid messages are dropped and counted).
import * as v from 'valibot';

/** Pool → worker. */
export type PoolRequest =
  | { readonly type: 'init'; readonly lock: string | null }
  | {
      readonly type: 'run';
      readonly id: number;
      readonly module: string;
      readonly reactor: string;
      readonly reaction: string;
      readonly values: readonly unknown[];
      readonly peer: string;
    };

const ErrorShape = v.object({ name: v.string(), message: v.string(), stack: v.optional(v.string()) });
export type ErrorShape = v.InferOutput<typeof ErrorShape>;

const PoolResponse = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({
    type: v.literal('done'),
    id: v.number(),
    result: v.object({
      outputs: v.array(v.object({ reactor: v.string(), molecule: v.string(), value: v.unknown() })),
      replies: v.array(v.object({ input: v.number(), value: v.unknown() })),
    }),
  }),
  v.object({ type: v.literal('failed'), id: v.number(), error: ErrorShape }),
]);
/** Worker → pool. */
export type PoolResponse = v.InferOutput<typeof PoolResponse>;

export function parsePoolResponse(data: unknown): PoolResponse | null {
  const r = v.safeParse(PoolResponse, data);
  return r.success ? r.output : null;
}

/** An Error as plain data (Errors do not keep their class across postMessage everywhere). */
export function errorShape(e: unknown): ErrorShape {
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { name: 'Error', message: String(e) };
}

/** Rebuild an Error from its shape; the worker's stack is kept as the cause's text. */
export function errorFrom(shape: ErrorShape): Error {
  const e = new Error(shape.message);
  e.name = shape.name;
  if (shape.stack) e.stack = shape.stack;
  return e;
}
