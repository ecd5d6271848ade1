import type { App } from '@samtal/http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Operational counters for Prometheus, in a registry per app (not prom-client's global one), so
 * two apps in one process — the launcher, a test file — never register a metric twice.
 * Labels never carry tenant data beyond route names and outcomes.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'samtal_insights_' });
  return {
    registry,
    requests: new Counter({
      name: 'samtal_insights_http_requests_total',
      help: 'HTTP requests answered, by route and status class',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'samtal_insights_http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['route'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    importedRows: new Counter({
      name: 'samtal_insights_import_rows_total',
      help: 'CSV import rows, by import and outcome',
      labelNames: ['import', 'outcome'] as const,
      registers: [registry],
    }),
    rollupDays: new Counter({
      name: 'samtal_insights_rollup_days_refreshed_total',
      help: 'Tenant-days recomputed in the indicator rollups',
      registers: [registry],
    }),
    wallboardClients: new Gauge({
      name: 'samtal_insights_wallboard_clients',
      help: 'Open wallboard WebSocket connections',
      registers: [registry],
    }),
  };
}

export type InsightsMetrics = ReturnType<typeof createMetrics>;

/** `GET /metrics` in the Prometheus text format, and request counting for every route. */
export function registerMetrics(app: App, metrics: InsightsMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, status: `${Math.floor(reply.statusCode / 100)}xx` });
    metrics.requestSeconds.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (operational counters only)',
        tags: ['operations'],
        hide: false,
      },
    },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}
