import type { IntakeConfig } from '@samtal/config';
import { type DbHandle, pingDb } from '@samtal/db';
import { type App, createServer, registerHealth } from '@samtal/http';
import { pingRedis, type QueueContext } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';

/** Everything the intake API needs, handed in so tests can pass real parts of their own. */
export interface IntakeDeps {
  config: Pick<IntakeConfig, 'TRUST_PROXY'>;
  db: DbHandle;
  queues: QueueContext;
  logger?: FastifyBaseLogger | false;
}

/** The resident-facing API: the single point of entry for inquiries (web, chat, Open311). */
export async function buildApp(deps: IntakeDeps): Promise<App> {
  const app = await createServer({ logger: deps.logger ?? false, trustProxy: deps.config.TRUST_PROXY });
  registerHealth(app, {
    postgres: () => pingDb(deps.db.sql),
    redis: () => pingRedis(deps.queues.connection),
  });
  return app;
}
