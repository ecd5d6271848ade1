import fastifyWebsocket from '@fastify/websocket';
import type { CaseWriter } from '@samtal/cases';
import type { DeskConfig } from '@samtal/config';
import { type DbHandle, pingDb } from '@samtal/db';
import { type App, createServer, registerHealth } from '@samtal/http';
import { pingRedis } from '@samtal/queue';
import { staffAuth } from '@samtal/staff-auth';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { chatRoutes } from './chat/plugin.ts';
import { deskDocs } from './docs.ts';
import { liveUpdates } from './live/plugin.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { privacyRoutes } from './routes/admin/privacy.ts';
import { agentRoutes } from './routes/agent.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { caseRoutes } from './routes/cases.ts';
import { departmentRoutes } from './routes/department.ts';
import { departmentDirectory } from './routes/departments-directory.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { presenceRoutes } from './routes/presence.ts';

/** Everything the desk needs, handed in so tests can pass real parts of their own. */
export interface DeskDeps {
  config: Pick<DeskConfig, 'TRUST_PROXY' | 'SESSION_TTL_HOURS' | 'COOKIE_SECURE' | 'UPLOAD_DIR'> &
    Partial<
      Pick<
        DeskConfig,
        'LIVE_HEARTBEAT_MS' | 'LIVE_POLL_MS' | 'LIVE_MAX_BUFFERED_BYTES' | 'PRESENCE_OFFLINE_GRACE_MS'
      >
    >;
  db: DbHandle;
  /** Changes cases: transactions, event announcements, outbox relay. */
  writer: CaseWriter;
  /** A dedicated connection for pub/sub subscriptions (a subscribed connection can do nothing else). */
  subscriber: Redis;
  logger?: FastifyBaseLogger | false;
}

/** The staff API: agents', officers' and administrators' work, live over WebSocket. */
export async function buildApp(deps: DeskDeps): Promise<App> {
  const app = await createServer({ logger: deps.logger ?? false, trustProxy: deps.config.TRUST_PROXY });
  await app.register(deskDocs);
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(staffAuth, { db: deps.db.db });
  registerHealth(app, {
    postgres: () => pingDb(deps.db.sql),
    redis: () => pingRedis(deps.writer.redis),
  });
  // Route modules register here, one line each (routes/<area>.ts; live/ for WebSocket).
  await app.register(liveUpdates, deps);
  await app.register(presenceRoutes, deps);
  await app.register(chatRoutes, deps);
  await app.register(knowledgeRoutes, deps);
  await app.register(authRoutes, deps);
  await app.register(caseRoutes, deps);
  await app.register(agentRoutes, deps);
  await app.register(departmentRoutes, deps);
  await app.register(departmentDirectory, deps);
  await app.register(auditRoutes, deps);
  await app.register(adminRoutes, deps);
  await app.register(privacyRoutes, deps);
  return app;
}
