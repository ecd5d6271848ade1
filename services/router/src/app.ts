import { type DbHandle, pingDb } from '@samtal/db';
import { type App, createServer, registerHealth } from '@samtal/http';
import { pingRedis, type QueueContext } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';
import { type JobCounters, QueueMetrics } from './metrics.ts';

export interface RouterAppDeps {
  db: DbHandle;
  queues: QueueContext;
  counters: JobCounters;
  logger?: FastifyBaseLogger | false;
}

/** The router's small HTTP face: `/health` (PostgreSQL and Redis) and `/metrics` (Prometheus). */
export async function buildApp(deps: RouterAppDeps): Promise<App> {
  const app = await createServer({ logger: deps.logger ?? false });
  const metrics = new QueueMetrics(deps.queues, deps.db.db, deps.counters);
  app.addHook('onClose', () => metrics.close());
  registerHealth(app, {
    postgres: () => pingDb(deps.db.sql),
    redis: () => pingRedis(deps.queues.connection),
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render()),
  );
  return app;
}
