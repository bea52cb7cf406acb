// /metrics in the Prometheus text format, through prom-client. Values are read from the server's counters at
// scrape time (nothing is counted twice, and the hot path stays plain integer increments). One registry per
// server, never prom-client's global one, so several servers in one process (tests) do not mix.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSnapshot {
  readonly connections: number;
  readonly rooms: number;
  /** Room records kept (epoch floor and history per room; bounded by --max-room-records). */
  readonly roomRecords: number;
  readonly framesIn: number;
  readonly framesOut: number;
  readonly relayedBytes: number;
  readonly leaseGrants: number;
  readonly errors: number;
  /** Frames refused, by error code (rate-limited, too-large, bad-json, room-full, …). */
  readonly rejected: Readonly<Record<string, number>>;
}

export interface Metrics {
  readonly contentType: string;
  render(): Promise<string>;
}

/** Help texts double as the README's "what each metric means". */
export const METRIC_HELP = {
  kinetic_connections: 'WebSocket connections open on this instance',
  kinetic_rooms: 'rooms with at least one member or a lease holder on this instance',
  kinetic_room_records: 'room records kept (epoch floor and history per room), at most --max-room-records',
  kinetic_frames_in_total: 'frames received from clients (before validation)',
  kinetic_frames_out_total: 'frames sent to clients',
  kinetic_rate_limited_total: 'frames dropped because a connection exceeded its message rate',
  kinetic_rejected_frames_total: 'frames or joins refused, by error code',
  kinetic_relayed_bytes_total: 'payload characters relayed between peers (signal and data relay)',
  kinetic_lease_grants_total: 'leadership lease grants (each with a new epoch)',
  kinetic_errors_total: 'internal errors (socket errors, handler failures); the server kept running',
} as const;

export function createMetrics(read: () => MetricsSnapshot): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = (name: keyof typeof METRIC_HELP, value: (s: MetricsSnapshot) => number): void => {
    new Gauge({
      name,
      help: METRIC_HELP[name],
      registers: [registry],
      collect() {
        this.set(value(read()));
      },
    });
  };
  const counter = (name: keyof typeof METRIC_HELP, value: (s: MetricsSnapshot) => number): void => {
    new Counter({
      name,
      help: METRIC_HELP[name],
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value(read()));
      },
    });
  };
  gauge('kinetic_connections', (s) => s.connections);
  gauge('kinetic_rooms', (s) => s.rooms);
  gauge('kinetic_room_records', (s) => s.roomRecords);
  counter('kinetic_frames_in_total', (s) => s.framesIn);
  counter('kinetic_frames_out_total', (s) => s.framesOut);
  counter('kinetic_rate_limited_total', (s) => s.rejected['rate-limited'] ?? 0);
  counter('kinetic_relayed_bytes_total', (s) => s.relayedBytes);
  counter('kinetic_lease_grants_total', (s) => s.leaseGrants);
  counter('kinetic_errors_total', (s) => s.errors);
  new Counter({
    name: 'kinetic_rejected_frames_total',
    help: METRIC_HELP.kinetic_rejected_frames_total,
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of Object.entries(read().rejected)) this.inc({ code }, n);
    },
  });
  return { contentType: registry.contentType, render: () => registry.metrics() };
}
