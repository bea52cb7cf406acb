// A round-robin TCP load balancer for tests: what a reverse proxy in front of several instances does. A
// backend that refuses a connection is skipped; when a backend dies, its clients' sockets close with it
// and their reconnects land on a live one.
import net from 'node:net';

export interface Balancer {
  readonly port: number;
  setBackends(ports: readonly number[]): void;
  close(): Promise<void>;
}

export async function startBalancer(backends: readonly number[]): Promise<Balancer> {
  let ports = [...backends];
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    client.pause();
    const attempt = (tries: number): void => {
      if (tries >= ports.length || client.destroyed) return void client.destroy();
      const port = ports[next++ % ports.length]!;
      const upstream = net.connect(port, '127.0.0.1');
      sockets.add(upstream);
      upstream.once('connect', () => {
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', () => {
        if (!upstream.readyState || upstream.connecting) attempt(tries + 1);
        else client.destroy();
      });
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
    };
    attempt(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    setBackends(p) {
      ports = [...p];
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
