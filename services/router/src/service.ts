import { OutboxRelay } from '@samtal/cases';
import type { RouterConfig } from '@samtal/config';
import { createDb } from '@samtal/db';
import type { App, Runnable } from '@samtal/http';
import { DiskFiles } from '@samtal/privacy';
import { createRedis } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.ts';
import { JobCounters } from './metrics.ts';
import {
  type EmailSender,
  loggingEmailSender,
  loggingSmsSender,
  type SmsSender,
  smtpSender,
} from './notifications/senders.ts';
import { Reconciler } from './reconcile.ts';
import { startRetentionWorker } from './retention.ts';
import { type RouterWorkers, startRouterWorkers } from './workers.ts';

export interface RouterServiceOptions {
  /** An SMS gateway; without one, SMS are logged. */
  sms?: SmsSender;
  email?: EmailSender;
}

/**
 * The router: workers on `routing`, `clocks`, `sla`, `notifications` and `retention` (daily per
 * municipality), an outbox relay for the jobs they write, a reconciler for jobs Redis lost, and `/health` + `/metrics`. Stops in order:
 * HTTP, workers (active jobs finish), relay and reconciler, database, Redis.
 */
export function routerService(
  config: RouterConfig,
  logger: FastifyBaseLogger,
  options: RouterServiceOptions = {},
): Runnable {
  const db = createDb(config.DATABASE_URL, {
    max: config.DATABASE_POOL_MAX,
    applicationName: 'samtal-router',
  });
  const producer = createRedis(config.REDIS_URL, 'producer');
  const workerRedis = createRedis(config.REDIS_URL, 'worker');
  const prefix = config.QUEUE_PREFIX;
  const queues = { connection: producer, prefix };
  const relay = new OutboxRelay({
    db: db.db,
    queues,
    sweepMs: config.OUTBOX_SWEEP_MS,
    onError: (err) => logger.warn({ err }, 'outbox relay could not publish (will retry)'),
  });
  const reconciler = new Reconciler({
    db: db.db,
    queues,
    everyMs: config.ROUTER_RECONCILE_MS,
    onError: (err) => logger.warn({ err }, 'reconcile failed (will retry)'),
  });
  const email =
    options.email ??
    (config.SMTP_URL ? smtpSender(config.SMTP_URL, config.MAIL_FROM) : loggingEmailSender(logger));
  const counters = new JobCounters();
  const concurrency = config.ROUTER_CONCURRENCY;
  let app: App | undefined;
  let workers: RouterWorkers | undefined;
  let retention: Awaited<ReturnType<typeof startRetentionWorker>> | undefined;
  return {
    async start() {
      workers = startRouterWorkers({
        writer: { db: db.db, redis: producer, prefix, relay },
        workerQueues: { connection: workerRedis, prefix },
        queues,
        email,
        sms: options.sms ?? loggingSmsSender(logger),
        settings: {
          concurrency: {
            routing: config.ROUTING_CONCURRENCY ?? concurrency,
            clocks: config.CLOCKS_CONCURRENCY ?? concurrency,
            sla: config.SLA_CONCURRENCY ?? concurrency,
            notifications: config.NOTIFICATIONS_CONCURRENCY ?? concurrency,
          },
          lockDurationMs: config.ROUTER_LOCK_DURATION_MS,
          stalledIntervalMs: config.ROUTER_STALLED_INTERVAL_MS,
        },
        counters,
        log: logger,
      });
      retention = await startRetentionWorker({
        db: db.db,
        queues,
        workerQueues: { connection: workerRedis, prefix },
        files: new DiskFiles(config.UPLOAD_DIR),
        cron: config.RETENTION_CRON,
        batchSize: config.RETENTION_BATCH_SIZE,
        log: logger,
      });
      relay.start();
      reconciler.start();
      app = await buildApp({ db, queues, counters, logger });
      return app.listen({ host: config.HOST, port: config.ROUTER_PORT });
    },
    async stop() {
      await app?.close();
      await workers?.close();
      await retention?.close();
      await reconciler.stop();
      await relay.stop();
      email.close();
      await db.close();
      await producer.quit().catch(() => producer.disconnect());
      await workerRedis.quit().catch(() => workerRedis.disconnect());
    },
  };
}
