import type { IntakeConfig } from '@samtal/config';
import { createDb } from '@samtal/db';
import type { Runnable } from '@samtal/http';
import { createRedis } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.ts';
import { IntakeRelay } from './relay.ts';

/** Opens the connections the intake service needs, and closes them in order on stop. */
export function intakeService(config: IntakeConfig, logger: FastifyBaseLogger): Runnable {
  const db = createDb(config.DATABASE_URL, {
    max: config.DATABASE_POOL_MAX,
    applicationName: 'samtal-intake',
  });
  const redis = createRedis(config.REDIS_URL, 'producer');
  const queues = { connection: redis, prefix: config.QUEUE_PREFIX };
  let lastError = '';
  const relay = new IntakeRelay({
    db: db.db,
    queues,
    sweepMs: config.OUTBOX_SWEEP_MS,
    // One line per kind of failure, not one per sweep while Redis is down.
    onError: (error) => {
      const message = (error as Error).message;
      if (message !== lastError) logger.warn({ err: error }, 'outbox relay could not publish; will retry');
      lastError = message;
    },
  });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  return {
    async start() {
      app = await buildApp({ config, db, queues, relay, logger });
      relay.start();
      return app.listen({ host: config.HOST, port: config.INTAKE_PORT });
    },
    async stop() {
      await app?.close();
      await relay.stop();
      await db.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
