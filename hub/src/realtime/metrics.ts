import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/** The hub's Prometheus metrics, one registry per hub (tests run several in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    socketsConnected: new Gauge({
      name: 'ocp_sockets_connected',
      help: 'Connected Socket.IO clients on this node, by kind of screen',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    eventsRelayed: new Counter({
      name: 'ocp_relay_events_published_total',
      help: 'Outbox events published by this node while it was the relay',
      registers: [registry],
    }),
    relayLagSeconds: new Histogram({
      name: 'ocp_relay_lag_seconds',
      help: 'From the event written (commit) to its publication by the relay',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    relayBacklog: new Gauge({
      name: 'ocp_relay_backlog_events',
      help: 'Committed outbox events not yet given a seq',
      registers: [registry],
    }),
    relayLeader: new Gauge({
      name: 'ocp_relay_leader',
      help: '1 when this node is the relay leader',
      registers: [registry],
    }),
    eventsReplayed: new Counter({
      name: 'ocp_events_replayed_total',
      help: 'Events replayed from PostgreSQL to resubscribing screens',
      registers: [registry],
    }),
    snapshotReloads: new Counter({
      name: 'ocp_snapshot_reloads_total',
      help: 'Resubscriptions answered with "reload the snapshot"',
      registers: [registry],
    }),
    databaseOutages: new Counter({
      name: 'ocp_database_outages_total',
      help: 'Times this node found PostgreSQL unavailable (one per outage, however many requests met it)',
      registers: [registry],
    }),
    busErrors: new Counter({
      name: 'ocp_bus_errors_total',
      help: 'Errors of the Redis bus connections',
      registers: [registry],
    }),
    commands: new Counter({
      name: 'ocp_socket_commands_total',
      help: 'Commands received over sockets, by name and outcome',
      labelNames: ['name', 'outcome'] as const,
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'ocp_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern (never the raw URL) and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'ocp_http_request_duration_seconds',
      help: 'From the request read to the response sent, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpInFlight: new Gauge({
      name: 'ocp_http_requests_in_flight',
      help: 'HTTP requests being answered by this node',
      registers: [registry],
    }),
    draining: new Gauge({
      name: 'ocp_draining',
      help: '1 while this node shuts down gracefully (not ready, finishing in-flight work)',
      registers: [registry],
    }),
    mailsSent: new Counter({
      name: 'ocp_mails_sent_total',
      help: 'Order confirmation e-mails handed to the SMTP server',
      registers: [registry],
    }),
  };
}
