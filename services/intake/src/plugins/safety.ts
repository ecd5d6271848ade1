import type { IncomingMessage, ServerResponse } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import type { App } from '@samtal/http';
import { sha256 } from '@samtal/security';
import type { preHandlerAsyncHookHandler } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { Redis } from 'ioredis';
import { TENANT_HEADER, type TenantDirectory } from '../tenants.ts';
import { batchedRedisStore } from './rate-limit-store.ts';

export interface SafetyOptions {
  tenants: TenantDirectory;
  /** Counters live in Redis, so every intake instance shares them. */
  redis: Redis;
  prefix: string;
  perMinute: number;
}

/**
 * Security headers, CORS per tenant and rate limits per client address. Returns the per-API-key
 * limit for Open311 posts, which runs after the body (with its api_key) is parsed.
 */
export async function registerSafety(app: App, options: SafetyOptions): Promise<preHandlerAsyncHookHandler> {
  const headers = securityHeaders({
    // The API answers JSON and XML; the one HTML page (/docs) loads its scripts from here.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });

  registerCors(app, options.tenants);

  await app.register(rateLimit, {
    global: true,
    max: options.perMinute,
    timeWindow: 60_000,
    store: batchedRedisStore(options.redis, `${options.prefix}:rate-limit:`),
    // Redis down: let residents through rather than turn them away; PostgreSQL still guards the data.
    skipOnError: true,
    allowList: (request) => request.url === '/health',
  });

  return app.rateLimit({
    max: options.perMinute * 10,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const key = (request.body as { api_key?: unknown } | undefined)?.api_key;
      return typeof key === 'string' && key ? `api-key:${sha256(key)}` : `api-key-missing:${request.ip}`;
    },
  }) as preHandlerAsyncHookHandler;
}

/**
 * The headers helmet sets for these options, worked out once. @fastify/helmet calls `helmet(options)`
 * on every request, parsing the CSP directives and building a dozen middlewares each time (about 5 %
 * of intake's CPU under load); the options never change per request, so neither do the headers.
 * (No CSP nonces here: they would differ per response.)
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

const CORS_METHODS = 'GET, POST, OPTIONS';
const CORS_ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'idempotency-key',
  TENANT_HEADER,
  'x-request-id',
].join(', ');
const CORS_EXPOSED_HEADERS = 'x-request-id, location, idempotent-replayed, retry-after';

/**
 * CORS per tenant, answering as @fastify/cors did with these options (the headers of every kind of
 * answer were compared), without its per-request work: with a delegator it merged and normalised
 * an options object for every request, browser or not. A preflight does not carry the tenant header,
 * so it is allowed for any tenant's origins; the request itself only for the origins of the tenant
 * it names.
 */
function registerCors(app: App, tenants: TenantDirectory): void {
  app.addHook('onRequest', (request, reply, done) => {
    // The answer depends on the Origin header, so caches must keep one per origin.
    reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (!origin) return done();
    tenants.all().then(
      (all) => {
        const slug = request.headers[TENANT_HEADER];
        const named = typeof slug === 'string' ? all.get(slug) : undefined;
        const pool = named ? [named] : [...all.values()];
        if (!pool.some((t) => t.corsOrigins.includes(origin))) return done();
        reply.header('access-control-allow-origin', origin);
        reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS);
        if (request.raw.method !== 'OPTIONS') return done();
        if (!request.headers['access-control-request-method']) {
          reply.code(400).type('text/plain').send('Invalid Preflight Request');
          return;
        }
        reply
          .header('access-control-allow-methods', CORS_METHODS)
          .header('access-control-allow-headers', CORS_ALLOWED_HEADERS)
          .header('access-control-max-age', '600')
          .code(204)
          .header('content-length', '0')
          .send();
      },
      () => done(),
    );
  });
  // Preflights from origins no tenant allows end here: not found, as for any unknown route.
  app.options('*', { schema: { hide: true } }, (_request, reply) => reply.callNotFound());
}
