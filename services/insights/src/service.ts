import { businessMinutesBetween } from '@samtal/business-time';
import type { InsightsConfig } from '@samtal/config';
import { createDb } from '@samtal/db';
import type { Runnable } from '@samtal/http';
import { createRedis } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.ts';
import { createMetrics } from './plugins/metrics.ts';
import { startRollupWorker } from './rollup-job.ts';

/** Opens the connections insights needs, runs the API and the rollup job, closes them in order. */
export function insightsService(config: InsightsConfig, logger: FastifyBaseLogger): Runnable {
  const db = createDb(config.DATABASE_URL, {
    max: config.DATABASE_POOL_MAX,
    applicationName: 'samtal-insights',
    planEveryQuery: true,
  });
  const redis = createRedis(config.REDIS_URL, 'producer');
  const workerRedis = config.ROLLUP_WORKER ? createRedis(config.REDIS_URL, 'worker') : undefined;
  const metrics = createMetrics();
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let rollups: Awaited<ReturnType<typeof startRollupWorker>> | undefined;
  return {
    async start() {
      const queues = { connection: redis, prefix: config.QUEUE_PREFIX };
      app = await buildApp({
        config,
        db,
        queues,
        logger,
        metrics,
        businessMinutes: businessMinutesBetween,
      });
      if (workerRedis) {
        rollups = await startRollupWorker({
          db,
          queues,
          workerConnection: workerRedis,
          everyMs: config.ROLLUP_REFRESH_MS,
          businessMinutes: businessMinutesBetween,
          metrics,
          logger,
        });
      }
      return app.listen({ host: config.HOST, port: config.INSIGHTS_PORT });
    },
    async stop() {
      await app?.close();
      await rollups?.close();
      await db.close();
      await redis.quit().catch(() => redis.disconnect());
      await workerRedis?.quit().catch(() => workerRedis.disconnect());
    },
  };
}
