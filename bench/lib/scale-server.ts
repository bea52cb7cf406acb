// The signaling server of bench/scale in its own process (default limits), so its CPU is measured alone.
// stdout: `{ t: 'listening', port }`, then one `usage` line per `usage` command on stdin.
import { createSignalingServer } from '../../signaling-server/src/index';

const server = createSignalingServer({ port: 0, host: '127.0.0.1' });
await server.ready;
const out = (fact: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(fact)}\n`);
out({ t: 'listening', port: server.address().port });
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (chunk.includes('usage')) {
    const cpu = process.cpuUsage();
    const s = server.stats();
    out({ t: 'usage', cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss, framesIn: s.framesIn, rejected: s.rejected, at: Date.now() });
  }
  if (chunk.includes('stop')) void server.close().finally(() => process.exit(0));
});
process.on('SIGTERM', () => void server.close().finally(() => process.exit(0)));
