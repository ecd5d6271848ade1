import { launcherEnv, parseConfig } from '@samtal/config';
import { DEMO_PASSWORD, seedDemoMunicipality } from '@samtal/db';
import { deskService } from '@samtal/desk/service';
import { seedPilotDialogues } from '@samtal/dialogue/seed';
import { dialogueService } from '@samtal/dialogue/service';
import { createLogger, type Runnable } from '@samtal/http';
import { insightsService } from '@samtal/insights/service';
import { intakeService } from '@samtal/intake/service';
import type { TestContext } from '@samtal/testing';
import { buildApp as buildWeb } from '@samtal/web';
import { defaultDistDir, ensureBuilt } from '@samtal/web/build';

export { DEMO_PASSWORD };

/**
 * The real services on free ports, against this file's own database and queue prefix, behind
 * the web server: what a browser talks to in production, minus TLS.
 */
export async function startStack(ctx: TestContext) {
  const demo = await seedDemoMunicipality(ctx.database.db);
  await seedPilotDialogues(ctx.database.db, demo.tenantId);
  const config = parseConfig(launcherEnv, {
    DATABASE_URL: ctx.databaseUrl,
    REDIS_URL: ctx.redisUrl,
    QUEUE_PREFIX: ctx.queuePrefix,
    HOST: '127.0.0.1',
    INTAKE_PORT: '0',
    DESK_PORT: '0',
    DIALOGUE_PORT: '0',
    INSIGHTS_PORT: '0',
    WEB_PORT: '0',
    LOG_LEVEL: 'warn',
    UPLOAD_DIR: `var/test-uploads/${ctx.queuePrefix}`,
  });
  const log = createLogger(config.LOG_LEVEL, 'browser-test');
  await ensureBuilt(log);
  const services: [string, Runnable][] = [
    ['intake', intakeService(config, log)],
    ['desk', deskService(config, log)],
    ['dialogue', dialogueService(config, log)],
    ['insights', insightsService(config, log)],
  ];
  const urls: Record<string, string> = {};
  for (const [name, service] of services) urls[name] = (await service.start())!;
  const web = await buildWeb({
    config: { TRUST_PROXY: false, WEB_TENANT: 'vasteras' },
    upstreams: {
      intake: urls.intake!,
      desk: urls.desk!,
      insights: urls.insights!,
      dialogue: urls.dialogue!,
    },
    distDir: defaultDistDir,
  });
  const baseUrl = await web.listen({ host: '127.0.0.1', port: 0 });
  return {
    baseUrl,
    async stop() {
      await web.close();
      for (const [, service] of [...services].reverse()) await service.stop();
    },
  };
}
