import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { DialogueConfig } from '@samtal/config';
import { type DbHandle, pingDb } from '@samtal/db';
import { type App, createServer, registerHealth } from '@samtal/http';
import { SESSION_COOKIE, staffAuth } from '@samtal/staff-auth';
import type { FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { attachmentRoutes } from './routes/attachments.ts';
import { contributionRoutes } from './routes/contributions.ts';
import { dialogueRoutes } from './routes/dialogues.ts';
import { indicatorRoutes } from './routes/indicators.ts';
import { outcomeRoutes } from './routes/outcomes.ts';
import { participationRoutes } from './routes/participation.ts';
import { publicRoutes } from './routes/public.ts';
import { surveyRoutes } from './routes/surveys.ts';
import type { FileStorage } from './storage.ts';

/** Everything the dialogue API needs, handed in so tests can pass real parts of their own. */
export interface DialogueDeps {
  config: Pick<
    DialogueConfig,
    'TRUST_PROXY' | 'DIALOGUE_UPLOAD_MAX_BYTES' | 'DIALOGUE_PUBLIC_WRITES_PER_MINUTE'
  >;
  db: DbHandle;
  storage: FileStorage;
  logger?: FastifyBaseLogger | false;
}

/** What every route module receives. */
export interface RouteDeps {
  db: DbHandle['db'];
  storage: FileStorage;
  uploadMaxBytes: number;
  /** Route config that rate-limits a public write per client address. */
  publicWriteLimit: { rateLimit: { max: number; timeWindow: string } };
}

/**
 * Residents' dialogues: facilitators plan them, record who took part and what was said, and link
 * outcomes to it; residents take part and read "you said, we did"; managers read reach and influence.
 */
export async function buildApp(deps: DialogueDeps): Promise<App> {
  const app = await createServer({ logger: deps.logger ?? false, trustProxy: deps.config.TRUST_PROXY });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Samtal dialogue API',
        description:
          "Residents' dialogues: plan, reach, hear, respond. Staff routes need a staff session cookie " +
          '(and an x-csrf-token header on changes); public routes are per municipality.',
        version: '1.0.0',
      },
      tags: [
        { name: 'dialogues', description: 'Plan and run dialogues (staff)' },
        { name: 'participation', description: 'Who took part (staff)' },
        { name: 'contributions', description: 'What was said (staff)' },
        { name: 'surveys', description: 'Questionnaires and results (staff)' },
        { name: 'outcomes', description: 'Decisions and actions linked to contributions (staff)' },
        { name: 'indicators', description: 'Reach, heard, influence (staff)' },
        { name: 'public', description: 'For residents, per municipality' },
        { name: 'operations', description: 'Health' },
      ],
      components: {
        securitySchemes: {
          staffSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          staffBearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(multipart, {
    limits: { fileSize: deps.config.DIALOGUE_UPLOAD_MAX_BYTES, files: 1, fields: 5 },
  });
  await app.register(staffAuth, { db: deps.db.db });
  // Only the public writes are limited (per route config). The store is this process's memory:
  // behind several instances each counts on its own, which still stops a single flooding client.
  await app.register(rateLimit, { global: false });

  registerHealth(app, { postgres: () => pingDb(deps.db.sql) });
  const routeDeps: RouteDeps = {
    db: deps.db.db,
    storage: deps.storage,
    uploadMaxBytes: deps.config.DIALOGUE_UPLOAD_MAX_BYTES,
    publicWriteLimit: {
      rateLimit: { max: deps.config.DIALOGUE_PUBLIC_WRITES_PER_MINUTE, timeWindow: '1 minute' },
    },
  };
  for (const routes of [
    dialogueRoutes,
    attachmentRoutes,
    participationRoutes,
    contributionRoutes,
    surveyRoutes,
    outcomeRoutes,
    indicatorRoutes,
    publicRoutes,
  ]) {
    await app.register(routes, routeDeps);
  }
  return app;
}
