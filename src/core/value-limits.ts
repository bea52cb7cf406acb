// Bounds on the values of distributed molecules. One check, used by the emitter (a clear error to the caller,
// nothing queued) and by every receiver (the message is refused and counted): a value nested 20,000 deep, a
// cycle or a BigInt would otherwise pass JSON.parse on one side and throw in JSON.stringify on the next send.
// The walk is iterative (an explicit stack), so checking a hostile value cannot overflow the call stack.

export interface ValueLimits {
  /** Deepest nesting of arrays/objects (a scalar has depth 0, `[1]` has depth 1). */
  readonly maxDepth: number;
  /** Most values in total (every array, object, string, number, … counts once). */
  readonly maxNodes: number;
  /** Most characters of strings and object keys in total: a cheap, encoding-free stand-in for size. */
  readonly maxChars: number;
}

// Generous for application data (a map/reduce chunk, a chat message, a todo list), small enough that a value
// always encodes well under the 64 MiB reassembly cap and the stack of any JSON implementation.
export const DEFAULT_VALUE_LIMITS: ValueLimits = { maxDepth: 64, maxNodes: 200_000, maxChars: 16 * 1024 * 1024 };

/** A value that cannot travel in a room: too deep, too big, cyclic, or not JSON (BigInt, function, symbol). */
export class ValueLimitError extends Error {
  override readonly name = 'ValueLimitError';
}

/** Why `value` cannot be a distributed molecule value, or null when it can. Never throws. */
export function valueProblem(value: unknown, limits: ValueLimits = DEFAULT_VALUE_LIMITS): string | null {
  try {
    return walk(value, limits);
  } catch {
    return 'a field that cannot be read (a getter or proxy threw)';
  }
}

function walk(value: unknown, limits: ValueLimits): string | null {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  // Objects on the current path would need parent tracking; a cycle instead shows up as depth past the limit,
  // and a shared (acyclic) sub-object is walked once per reference, which the node budget bounds.
  let nodes = 0;
  let chars = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (++nodes > limits.maxNodes) return `more than ${limits.maxNodes} values`;
    switch (typeof v) {
      case 'string':
        chars += v.length;
        if (chars > limits.maxChars) return `more than ${limits.maxChars} characters of text`;
        continue;
      case 'number':
      case 'boolean':
      case 'undefined':
        continue;
      case 'bigint':
        return 'a BigInt (not JSON: send it as a string)';
      case 'function':
      case 'symbol':
        return `a ${typeof v} (not JSON)`;
    }
    if (v === null) continue;
    if (depth >= limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels (or cyclic)`;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i] as unknown, depth: depth + 1 });
      if (stack.length > limits.maxNodes) return `more than ${limits.maxNodes} values`;
      continue;
    }
    // Objects with toJSON (Date) encode as what toJSON returns; a plain walk of their fields is still bounded.
    for (const key of Object.keys(v as object)) {
      chars += key.length;
      if (chars > limits.maxChars) return `more than ${limits.maxChars} characters of text`;
      stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1 });
      if (stack.length > limits.maxNodes) return `more than ${limits.maxNodes} values`;
    }
  }
  return null;
}

/** Receipt side: true when the value fits (used inside message schemas). */
export const isValueWithinLimits = (value: unknown): boolean => valueProblem(value) === null;

/** Emit side: throw a ValueLimitError naming the molecule when the value cannot travel. */
export function assertValueWithinLimits(molecule: string, value: unknown, limits: ValueLimits = DEFAULT_VALUE_LIMITS): void {
  const why = valueProblem(value, limits);
  if (why !== null) throw new ValueLimitError(`cannot emit distributed molecule "${molecule}": its value has ${why}`);
}
