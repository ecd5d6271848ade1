import { OutboxRelay } from '@samtal/cases';
import type { DeskConfig } from '@samtal/config';
import { createDb } from '@samtal/db';
import type { Runnable } from '@samtal/http';
import { createRedis } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.ts';

/** Opens the desk's connections, and closes them in order on stop. */
export function deskService(config: DeskConfig, logger: FastifyBaseLogger): Runnable {
  const db = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: 'samtal-desk' });
  const redis = createRedis(config.REDIS_URL, 'producer');
  const subscriber = createRedis(config.REDIS_URL, 'worker');
  const queues = { connection: redis, prefix: config.QUEUE_PREFIX };
  const relay = new OutboxRelay({
    db: db.db,
    queues,
    onError: (err) => logger.warn({ err }, 'outbox relay'),
  });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  return {
    async start() {
      app = await buildApp({
        config,
        db,
        writer: { db: db.db, redis, prefix: config.QUEUE_PREFIX, relay },
        subscriber,
        logger,
      });
      relay.start();
      return app.listen({ host: config.HOST, port: config.DESK_PORT });
    },
    async stop() {
      await app?.close();
      await relay.stop();
      await db.close();
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
