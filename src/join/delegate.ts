// Typed delegation: emitters for a reactor this peer does not host. Its distributed molecules go into the
// room (a peer that hosts the reactor consumes them); its distributed blocking molecules become calls that
// a hosting peer answers, bounded by a timeout. Local molecules of such a reactor exist only where it runs,
// so using one here is a programmer mistake and throws at once.
import type { Clock } from '../core/clock';
import type { DistributedPort } from '../core/distributed-port';
import type { AnyMolecule, CallOptions, Emitters } from '../core/molecule';
import type { ReactorDefinition } from '../core/reactor';
import { withTimeout } from '../core/with-timeout';

export function delegatedEmitters<E>(port: DistributedPort, definition: ReactorDefinition<E>, clock: Clock, defaultTimeoutMs: number): Emitters<E> {
  const emitters: Record<string, unknown> = {};
  for (const [key, handle] of Object.entries(definition.exports as Record<string, AnyMolecule>)) {
    const what = `${definition.name}.${handle.name}`;
    if (!handle.distributed) {
      emitters[key] = () => {
        throw new Error(`${what} is a local molecule of a reactor this peer does not host; only distributed molecules can be used from here (host it with \`reactors\` instead)`);
      };
    } else if (handle.kind === 'blocking') {
      emitters[key] = (arg?: unknown, options?: CallOptions) => withTimeout(port.call(definition.id, handle.name, arg), handle.name, options?.timeoutMs ?? defaultTimeoutMs, clock);
    } else {
      emitters[key] = (value?: unknown) => port.emit(definition.id, handle.name, value);
    }
  }
  return emitters as Emitters<E>;
}
