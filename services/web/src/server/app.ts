import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import helmet from '@fastify/helmet';
import httpProxy from '@fastify/http-proxy';
import fastifyStatic from '@fastify/static';
import type { WebConfig } from '@samtal/config';
import { type App, createServer, registerHealth } from '@samtal/http';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** The APIs the browser reaches through this server, under /api/<name>/. */
export interface Upstreams {
  intake: string;
  desk: string;
  dialogue: string;
  insights: string;
}

export interface WebDeps {
  config: Pick<WebConfig, 'TRUST_PROXY' | 'WEB_TENANT'>;
  upstreams: Upstreams;
  /** The built front end (vite build output). */
  distDir: string;
  logger?: FastifyBaseLogger | false;
}

/** Paths the single-page app answers itself; each gets index.html. */
export const APP_PATHS = [
  '/',
  '/track',
  '/chat',
  '/dialogues',
  '/desk',
  '/manager',
  '/facilitator',
  '/admin',
];

/** APIs that push over WebSocket (live queue, chat, wallboard). */
const websocketUpstreams = new Set<keyof Upstreams>(['desk', 'insights']);

/** Cookies are set by the APIs behind /api/<name>/; widen their path so every API gets them. */
function rewriteSetCookie(value: string): string {
  const parts = value.split(';').filter((p) => !/^\s*path=/i.test(p));
  return [...parts, ' Path=/'].join(';');
}

const clientConfig = z.object({
  tenant: z.string(),
  languages: z.array(z.string()),
});

/**
 * The browser's one origin: the built front end with a strict CSP, and same-origin proxies to the
 * APIs so session cookies, CSRF tokens and WebSockets need no CORS and `connect-src 'self'` suffices.
 */
export async function buildApp(deps: WebDeps): Promise<App> {
  const app = await createServer({
    logger: deps.logger ?? false,
    trustProxy: deps.config.TRUST_PROXY,
    // Photo uploads pass through to intake, which enforces its own limit.
    bodyLimit: 60 * 1024 * 1024,
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // blob: previews of photos chosen for upload and of photos fetched with the access token.
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The APIs' own responses keep whatever they send; these headers cover the pages.
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });

  // The APIs behind the proxy see a same-host upgrade without an Origin; so the browser's Origin is
  // checked here, against this server's own host (cross-site WebSocket hijacking).
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') return;
    const origin = request.headers.origin;
    if (!origin) return;
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== request.headers.host) {
      return reply
        .code(403)
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          detail: 'This origin may not open a live connection',
          instance: request.url,
          requestId: String(request.id),
        });
    }
  });

  const languages = readdirSync(join(import.meta.dirname, '../client/i18n'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();

  for (const [name, upstream] of Object.entries(deps.upstreams) as [keyof Upstreams, string][]) {
    await app.register(httpProxy, {
      upstream,
      prefix: `/api/${name}`,
      rewritePrefix: '',
      websocket: websocketUpstreams.has(name),
      // Let the APIs parse their own bodies (JSON, multipart photo uploads, CSV).
      preHandler: undefined,
      replyOptions: {
        rewriteRequestHeaders: (_request, headers) =>
          name === 'intake' && !headers['x-samtal-tenant']
            ? { ...headers, 'x-samtal-tenant': deps.config.WEB_TENANT }
            : headers,
        rewriteHeaders: (headers) => {
          const cookie = headers['set-cookie'];
          if (!cookie) return headers;
          const list = Array.isArray(cookie) ? cookie : [cookie];
          return { ...headers, 'set-cookie': list.map(rewriteSetCookie) };
        },
      },
    });
  }

  const indexFile = join(deps.distDir, 'index.html');
  registerHealth(app, {
    assets: async () => {
      if (!existsSync(indexFile)) throw new Error(`front end not built (${indexFile} missing)`);
    },
  });

  app.get(
    '/config.json',
    { schema: { summary: 'What the front end needs to know at start', response: { 200: clientConfig } } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-cache');
      return { tenant: deps.config.WEB_TENANT, languages };
    },
  );

  await app.register(fastifyStatic, {
    root: deps.distDir,
    index: false,
    wildcard: true,
    setHeaders: (reply, path) => {
      // Vite puts a content hash in every asset name, so assets never change under their name.
      reply.header(
        'cache-control',
        path.includes(`${join(deps.distDir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  for (const path of APP_PATHS) {
    const handler = async (_request: FastifyRequest, reply: FastifyReply) => {
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    };
    app.get(path, handler);
    if (path !== '/') app.get(`${path}/*`, handler);
  }
  return app;
}
