// Real services an e2e test starts on loopback and stops by PID: coturn (TURN REST auth, no TLS) and extra
// kinetic-signal instances with their own settings.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Service {
  readonly pid: number;
  readonly port: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** A TCP port nobody listens on right now (tests use it for servers that cannot take port 0). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function track(child: ChildProcess, port: number): Service {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid ?? 0,
    port,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitFor(check: () => boolean, what: string, timeoutMs: number, svc: Service): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) {
      await svc.stop();
      throw new Error(`${what} did not start within ${timeoutMs} ms:\n${svc.output().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** coturn on 127.0.0.1 with coturn's `use-auth-secret` (TURN REST credentials), UDP and TCP, no TLS. */
export async function startCoturn(secret: string): Promise<Service> {
  const port = await freePort();
  const minPort = 49152 + Math.floor(Math.random() * 10_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-coturn-'));
  const child = spawn(
    'turnserver',
    [
      '-n', // no config file
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--min-port=${minPort}`,
      `--max-port=${minPort + 200}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=kinetic.test',
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--no-multicast-peers',
      // Peers here are on loopback; a real deployment keeps coturn's default denial of loopback peers.
      '--allow-loopback-peers',
      `--pidfile=${path.join(dir, 'turnserver.pid')}`,
      `--userdb=${path.join(dir, 'turndb')}`,
      '--log-file=stdout',
      '--simple-log',
      '--verbose',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const svc = track(child, port);
  child.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  await waitFor(() => /Total (UDP|General) servers/i.test(svc.output()), 'coturn', 15_000, svc);
  return svc;
}

/**
 * A kinetic-signal instance of its own (port 0: it prints the port it got). `port`: a fixed one instead (a
 * restart on the same address keeps the page origin, so browsers keep their storage for it).
 */
export async function startSignal(args: readonly string[], fixedPort = 0): Promise<Service & { url: string }> {
  const bin = fileURLToPath(new URL('../signaling-server/bin/kinetic-signal.mjs', import.meta.url));
  const child = spawn(
    process.execPath,
    [bin, '--port', String(fixedPort), '--host', '127.0.0.1', '--log-level', 'warn', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let port = 0;
  const svc = track(child, 0);
  await waitFor(
    () => {
      const m = /listening on ws:\/\/127\.0\.0\.1:(\d+)\/signal/.exec(svc.output());
      if (m) port = Number(m[1]);
      return port > 0;
    },
    'kinetic-signal',
    20_000,
    svc,
  );
  return { ...svc, port, url: `http://127.0.0.1:${port}` };
}
