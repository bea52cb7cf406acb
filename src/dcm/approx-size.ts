// A cheap stand-in for how much memory a parsed message holds: the length of its JSON text, roughly (string
// characters, a few per number, key and bracket), walked iteratively and given up once past `cap`, so sizing a
// hostile value costs at most about `cap` steps and can never overflow the stack.

/** About how many characters `value` takes as JSON; any result above `cap` means "more than cap". */
export function approxSize(value: unknown, cap: number): number {
  const stack: unknown[] = [value];
  let size = 0;
  while (stack.length > 0 && size <= cap) {
    const v = stack.pop();
    if (typeof v === 'string') size += v.length + 2;
    else if (typeof v !== 'object' || v === null) size += 8;
    else if (Array.isArray(v)) {
      size += 2 + v.length;
      // Past the cap the answer is known: a wide array is not copied onto the stack to find it out.
      for (let i = 0; i < v.length && size <= cap; i++) stack.push(v[i]);
    } else {
      size += 2;
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        // (Object.entries made a pair array per key: ~5 % of the bytes an in-process room allocated.)
        size += k.length + 4;
        stack.push(o[k]);
      }
    }
  }
  return size;
}
