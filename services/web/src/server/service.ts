import type { WebConfig } from '@samtal/config';
import type { Runnable } from '@samtal/http';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp, type Upstreams } from './app.ts';
import { defaultDistDir, ensureBuilt } from './build.ts';

/** The APIs' addresses: configured, or their default ports on this machine. */
export function upstreamsOf(config: WebConfig): Upstreams {
  return {
    intake: config.WEB_INTAKE_URL ?? 'http://127.0.0.1:3000',
    desk: config.WEB_DESK_URL ?? 'http://127.0.0.1:3002',
    dialogue: config.WEB_DIALOGUE_URL ?? 'http://127.0.0.1:3003',
    insights: config.WEB_INSIGHTS_URL ?? 'http://127.0.0.1:3004',
  };
}

/** Builds the front end if needed, then serves it and proxies the APIs. */
export function webService(
  config: WebConfig,
  logger: FastifyBaseLogger,
  upstreams = upstreamsOf(config),
): Runnable {
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  return {
    async start() {
      if (config.WEB_BUILD_ON_START) await ensureBuilt(logger);
      app = await buildApp({ config, upstreams, distDir: defaultDistDir, logger });
      return app.listen({ host: config.HOST, port: config.WEB_PORT });
    },
    async stop() {
      await app?.close();
    },
  };
}
