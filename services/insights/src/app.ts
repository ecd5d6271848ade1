import websocket from '@fastify/websocket';
import type { InsightsConfig } from '@samtal/config';
import { type DbHandle, pingDb } from '@samtal/db';
import { type App, createServer, registerHealth } from '@samtal/http';
import { pingRedis, type QueueContext } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';
import { type BusinessMinutesFn, openingHoursMinutes } from './business-time.ts';
import { loadTenant } from './context.ts';
import { staffSessions } from './plugins/auth.ts';
import { registerDocs } from './plugins/docs.ts';
import { createMetrics, type InsightsMetrics, registerMetrics } from './plugins/metrics.ts';
import { availabilityRoutes } from './routes/availability.ts';
import { baselineRoutes } from './routes/baselines.ts';
import { contactRoutes } from './routes/contacts.ts';
import { equityRoutes } from './routes/equity.ts';
import { partnerRoutes } from './routes/partners.ts';
import { rollupRoutes } from './routes/rollups.ts';
import type { RouteDeps } from './routes/types.ts';
import { wallboardRoutes } from './routes/wallboard.ts';

/** Everything the insights API needs, handed in so tests can pass real parts of their own. */
export interface InsightsDeps {
  config: Pick<InsightsConfig, 'TRUST_PROXY' | 'WALLBOARD_INTERVAL_MS'>;
  db: DbHandle;
  /** For the health check; insights answers without Redis, but its rollup job needs it. */
  queues?: QueueContext;
  logger?: FastifyBaseLogger | false;
  /** Business minutes between two instants in a calendar (`@samtal/business-time`). */
  businessMinutes?: BusinessMinutesFn;
  /** The clock; tests fix it so "today" and "overdue" are reproducible. */
  now?: () => Date;
  metrics?: InsightsMetrics;
}

/** The staff-facing indicators API: availability, equity, dialogues, baselines, exports, wallboard. */
export async function buildApp(deps: InsightsDeps): Promise<App> {
  const app = await createServer({
    logger: deps.logger ?? false,
    trustProxy: deps.config.TRUST_PROXY,
    // CSV imports of a day's call records run to a few megabytes.
    bodyLimit: 20 * 1024 * 1024,
  });
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  await registerDocs(app);
  const metrics = deps.metrics ?? createMetrics();
  registerMetrics(app, metrics);
  await app.register(websocket);
  await app.register(staffSessions, { db: deps.db });
  registerHealth(app, {
    postgres: () => pingDb(deps.db.sql),
    ...(deps.queues ? { redis: () => pingRedis(deps.queues!.connection) } : {}),
  });
  const routeDeps: RouteDeps = {
    db: deps.db,
    businessMinutes: deps.businessMinutes ?? openingHoursMinutes,
    now: deps.now ?? (() => new Date()),
    tenant: (tenantId) => loadTenant(deps.db, tenantId),
    metrics,
    wallboardIntervalMs: deps.config.WALLBOARD_INTERVAL_MS,
  };
  for (const routes of [
    availabilityRoutes,
    contactRoutes,
    equityRoutes,
    baselineRoutes,
    partnerRoutes,
    rollupRoutes,
    wallboardRoutes,
  ]) {
    await routes(app, routeDeps);
  }
  return app;
}
