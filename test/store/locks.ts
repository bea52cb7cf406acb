// An in-process LockManager (exclusive locks, ifAvailable, steal-free) for identity tests in Node, which has
// no Web Locks. Browsers run the real one (e2e/persist-app.spec.ts opens two tabs of one room).
export function createProcessLocks(): LockManager {
  const held = new Set<string>();
  const waiting = new Map<string, Array<() => void>>();
  const release = (name: string): void => {
    held.delete(name);
    waiting.get(name)?.shift()?.();
  };
  const request = async (name: string, a: unknown, b?: unknown): Promise<unknown> => {
    const options = (typeof a === 'function' ? {} : a) as LockOptions;
    const callback = (typeof a === 'function' ? a : b) as LockGrantedCallback<unknown>;
    if (held.has(name)) {
      if (options.ifAvailable) return callback(null);
      await new Promise<void>((resolve) => waiting.set(name, [...(waiting.get(name) ?? []), resolve]));
    }
    held.add(name);
    try {
      return await callback({ name, mode: 'exclusive' } as Lock);
    } finally {
      release(name);
    }
  };
  return { request, query: async () => ({ held: [], pending: [] }) } as unknown as LockManager;
}
