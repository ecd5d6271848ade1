import type { DialogueConfig } from '@samtal/config';
import { createDb } from '@samtal/db';
import type { Runnable } from '@samtal/http';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.ts';
import { diskStorage } from './storage.ts';

/** Opens the connections the dialogue service needs, and closes them in order on stop. */
export function dialogueService(config: DialogueConfig, logger: FastifyBaseLogger): Runnable {
  const db = createDb(config.DATABASE_URL, {
    max: config.DATABASE_POOL_MAX,
    applicationName: 'samtal-dialogue',
  });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  return {
    async start() {
      app = await buildApp({ config, db, storage: diskStorage(config.UPLOAD_DIR), logger });
      return app.listen({ host: config.HOST, port: config.DIALOGUE_PORT });
    },
    async stop() {
      await app?.close();
      await db.close();
    },
  };
}
