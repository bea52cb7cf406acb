// One logger facade with namespaces, debug-style: enable with DEBUG=kinetic:* (Node) or
// localStorage.debug = 'kinetic:*' (browser). Library code never prints to the console directly.
export interface Logger {
  (...args: unknown[]): void;
  readonly enabled: boolean;
  extend(sub: string): Logger;
}

function pattern(): RegExp | null {
  let spec: string | undefined;
  try {
    spec =
      (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['DEBUG'] ??
      (globalThis as { localStorage?: Storage }).localStorage?.getItem('debug') ??
      undefined;
  } catch {
    spec = undefined; // localStorage throws in sandboxed frames: logging simply stays off.
  }
  if (!spec) return null;
  const parts = spec.split(/[\s,]+/).filter(Boolean).map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'));
  return parts.length ? new RegExp(`^(${parts.join('|')})$`) : null;
}

export function logger(namespace: string): Logger {
  const ns = namespace.startsWith('kinetic') ? namespace : `kinetic:${namespace}`;
  const enabled = pattern()?.test(ns) ?? false;
  const log = ((...args: unknown[]) => {
    if (!enabled) return;
    // The namespace joins a leading message so its %s / %d placeholders are filled, as in `debug`.
    const [first, ...rest] = args;
    if (typeof first === 'string') console.debug(`${ns} ${first}`, ...rest);
    else console.debug(ns, ...args);
  }) as Logger;
  Object.defineProperty(log, 'enabled', { value: enabled });
  Object.defineProperty(log, 'extend', { value: (sub: string) => logger(`${ns}:${sub}`) });
  return log;
}
