// A bare WebSocket client for server tests: sends raw text, records parsed frames.
import WebSocket from 'ws';
import { parseServerFrame, type ServerFrame } from '../../src/protocol/signaling';
import { until } from '../../src/mesh/testing/transport-suite';

export class RawClient {
  readonly frames: ServerFrame[] = [];
  /** Raw relay frames (`R<from>\n<data>`), as text. */
  readonly raw: string[] = [];
  readonly ws: WebSocket;
  closed = false;

  private constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (d) => {
      const text = d.toString();
      if (text.startsWith('R')) return void this.raw.push(text);
      const f = parseServerFrame(text);
      if (f) this.frames.push(f);
    });
    this.ws.on('close', () => (this.closed = true));
    this.ws.on('error', () => undefined);
  }

  static async open(url: string): Promise<RawClient> {
    const c = new RawClient(url);
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
    });
    return c;
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify({ v: 1, ...frame }));
  }

  async join(room: string, peer: string, instance = `${peer}-i`, rawRelay = false): Promise<ServerFrame & { type: 'joined' }> {
    this.send({ type: 'join', room, peer, instance, ...(rawRelay ? { rawRelay } : {}) });
    return this.next('joined');
  }

  /** The first frame of `type` received from now on (or already buffered and not yet taken). */
  async next<T extends ServerFrame['type']>(type: T, timeoutMs = 3000): Promise<ServerFrame & { type: T }> {
    await until(() => this.frames.some((f) => f.type === type), timeoutMs, `a "${type}" frame`);
    const i = this.frames.findIndex((f) => f.type === type);
    return this.frames.splice(i, 1)[0] as ServerFrame & { type: T };
  }

  errors(): string[] {
    return this.frames.filter((f) => f.type === 'error').map((f) => (f as { code: string }).code);
  }

  close(): void {
    this.ws.close();
  }
}
