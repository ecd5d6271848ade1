import multipart from '@fastify/multipart';
import type { OutboxRelay } from '@samtal/cases';
import type { IntakeConfig } from '@samtal/config';
import { type DbHandle, pingDb } from '@samtal/db';
import { type App, createServer, registerHealth } from '@samtal/http';
import { pingRedis, type QueueContext } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';
import { Announcements } from './announcements.ts';
import { CatalogCache } from './catalog.ts';
import type { IntakeContext } from './context.ts';
import { inquiryRoutes, MAX_PHOTOS } from './inquiries/routes.ts';
import { InquiryWriter } from './inquiries/writer.ts';
import { open311Routes } from './open311/routes.ts';
import { registerDocs } from './plugins/docs.ts';
import { registerSafety } from './plugins/safety.ts';
import { IntakeRelay } from './relay.ts';
import { DiskStorage, type Storage } from './storage.ts';
import { TenantDirectory } from './tenants.ts';

/** Everything the intake API needs, handed in so tests can pass real parts of their own. */
export interface IntakeDeps {
  config: Pick<IntakeConfig, 'TRUST_PROXY'> &
    Partial<Pick<IntakeConfig, 'UPLOAD_DIR' | 'UPLOAD_MAX_BYTES' | 'RATE_LIMIT_PER_MINUTE'>>;
  db: DbHandle;
  queues: QueueContext;
  logger?: FastifyBaseLogger | false;
  /** The relay that publishes the outbox; without one, the app makes one (fast path only) and stops it on close. */
  relay?: OutboxRelay;
  storage?: Storage;
  /** How long tenants, categories, SLA policies and calendars are cached in process. */
  cacheTtlMs?: number;
}

/** The resident-facing API: the single point of entry for inquiries (web, chat, Open311). */
export async function buildApp(deps: IntakeDeps): Promise<App> {
  const app = await createServer({ logger: deps.logger ?? false, trustProxy: deps.config.TRUST_PROXY });
  // Plain text is never an inquiry: without this parser such a body is a 415 naming the content type.
  app.removeContentTypeParser('text/plain');
  const uploadMaxBytes = deps.config.UPLOAD_MAX_BYTES ?? 10 * 1024 * 1024;
  const ttl = deps.cacheTtlMs ?? 30_000;

  // Announcements and rate-limit counters must not hold a request while Redis is down: this
  // connection fails at once instead of queueing commands until Redis returns.
  const fastFail = deps.queues.connection.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  fastFail.on('error', () => {});
  // Give it a moment to connect, so the first requests are counted too (not forever: Redis may be down).
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 500);
    fastFail.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const ownRelay = deps.relay ? undefined : new IntakeRelay({ db: deps.db.db, queues: deps.queues });
  const ctx: IntakeContext = {
    db: deps.db,
    writer: new InquiryWriter(deps.db.sql),
    tenants: new TenantDirectory(deps.db.db, ttl),
    catalog: new CatalogCache(deps.db.db, ttl),
    storage: deps.storage ?? new DiskStorage(deps.config.UPLOAD_DIR ?? 'var/uploads'),
    relay: deps.relay ?? ownRelay!,
    announcer: fastFail,
    announcements: new Announcements(fastFail, deps.queues.prefix),
    prefix: deps.queues.prefix,
  };
  app.addHook('onClose', async () => {
    await ownRelay?.stop();
    fastFail.disconnect();
  });

  await registerDocs(app);
  const apiKeyLimit = await registerSafety(app, {
    tenants: ctx.tenants,
    redis: fastFail,
    prefix: deps.queues.prefix,
    perMinute: deps.config.RATE_LIMIT_PER_MINUTE ?? 120,
  });
  await app.register(multipart, {
    limits: {
      fileSize: uploadMaxBytes,
      files: MAX_PHOTOS,
      fields: 5,
      fieldSize: 64 * 1024,
      parts: MAX_PHOTOS + 5,
    },
  });

  registerHealth(app, {
    postgres: () => pingDb(deps.db.sql),
    redis: () => pingRedis(deps.queues.connection),
  });
  inquiryRoutes(app, ctx, { uploadMaxBytes });
  await app.register(open311Routes(ctx, { apiKeyLimit }), { prefix: '/open311/v2' });
  return app;
}
