// A real redis-server for tests: on a free loopback port, started and stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  /** Stop and start again on the same port (what it had is kept only with `persist`). */
  restart(): Promise<void>;
}

/** A loopback TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.write('PING\r\n');
        c.once('data', (d) => {
          c.destroy();
          resolve(d.toString().startsWith('+PONG'));
        });
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end)
      throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `persist: false` (default): no RDB, no AOF — a restart loses everything (the harsher case). */
export async function startRedis(opts: { persist?: boolean; dir?: string } = {}): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    opts.persist ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--protected-mode',
    'yes',
    '--loglevel',
    'warning',
  ];
  if (opts.dir) args.push('--dir', opts.dir);
  const start = async (): Promise<void> => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}
