import type { IntakeConfig } from '@samtal/config';
import { createDb } from '@samtal/db';
import type { Runnable } from '@samtal/http';
import { createRedis } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.ts';

/** Opens the connections the intake service needs, and closes them in order on stop. */
export function intakeService(config: IntakeConfig, logger: FastifyBaseLogger): Runnable {
  const db = createDb(config.DATABASE_URL, {
    max: config.DATABASE_POOL_MAX,
    applicationName: 'samtal-intake',
  });
  const redis = createRedis(config.REDIS_URL, 'producer');
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  return {
    async start() {
      app = await buildApp({
        config,
        db,
        queues: { connection: redis, prefix: config.QUEUE_PREFIX },
        logger,
      });
      return app.listen({ host: config.HOST, port: config.INTAKE_PORT });
    },
    async stop() {
      await app?.close();
      await db.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
