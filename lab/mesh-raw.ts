// The baseline: a bare RTCDataChannel between two pages, with SDP passed by the test driver (no signaling
// server, no framing, no JSON). bench/mesh.ts compares our transport against it in the same run.
let pc: RTCPeerConnection | null = null;
let channel: RTCDataChannel | null = null;
let pending: (() => void) | null = null;

function gathered(conn: RTCPeerConnection): Promise<void> {
  if (conn.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => conn.addEventListener('icegatheringstatechange', () => conn.iceGatheringState === 'complete' && resolve()));
}

function wire(ch: RTCDataChannel): Promise<void> {
  channel = ch;
  ch.onmessage = (ev: MessageEvent<string>) => {
    const d = ev.data;
    if (d[0] === 'p' || d[0] === 'e') ch.send('r'); // ping or end-of-bulk: answer
    else if (d[0] === 'r') pending?.();
  };
  return ch.readyState === 'open' ? Promise.resolve() : new Promise((r) => ch.addEventListener('open', () => r(), { once: true }));
}

function roundTrip(msg: string): Promise<void> {
  return new Promise((resolve) => {
    pending = resolve;
    channel?.send(msg);
  });
}

export const rawRtc = {
  async offer(): Promise<string> {
    pc = new RTCPeerConnection({ iceServers: [] });
    void wire(pc.createDataChannel('raw'));
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    return JSON.stringify(pc.localDescription);
  },
  async answer(offer: string): Promise<string> {
    pc = new RTCPeerConnection({ iceServers: [] });
    pc.ondatachannel = (ev) => void wire(ev.channel);
    await pc.setRemoteDescription(JSON.parse(offer) as RTCSessionDescriptionInit);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    return JSON.stringify(pc.localDescription);
  },
  async accept(answer: string): Promise<void> {
    await pc?.setRemoteDescription(JSON.parse(answer) as RTCSessionDescriptionInit);
    if (channel) await wire(channel);
  },
  async rtt(n: number, warmup = 20): Promise<number> {
    for (let i = 0; i < warmup; i++) await roundTrip('p');
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await roundTrip('p');
    return (performance.now() - t0) / n;
  },
  /** MiB/s for `count` string messages of `bytes` each, with backpressure on bufferedAmountLow. */
  async throughput(bytes: number, count: number): Promise<number> {
    const ch = channel as RTCDataChannel;
    const body = 'b'.repeat(bytes);
    ch.bufferedAmountLowThreshold = 256 * 1024;
    const t0 = performance.now();
    for (let i = 0; i < count - 1; i++) {
      if (ch.bufferedAmount > 1024 * 1024) await new Promise((r) => ch.addEventListener('bufferedamountlow', r, { once: true }));
      ch.send(body);
    }
    await roundTrip('e' + body.slice(1));
    return (bytes * count) / (1024 * 1024) / ((performance.now() - t0) / 1000);
  },
  close(): void {
    pc?.close();
    pc = null;
    channel = null;
  },
};
