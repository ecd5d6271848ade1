import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';

/** A stand-in API that echoes what reached it, to see what the proxy forwards. */
async function echoApi() {
  const api = Fastify();
  api.all('/*', async (request, reply) => {
    reply.header('set-cookie', 'samtal_session=abc; Path=/v1/auth; HttpOnly; SameSite=Strict');
    return { url: request.url, tenant: request.headers['x-samtal-tenant'] ?? null };
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const { port } = api.server.address() as { port: number };
  return { api, url: `http://127.0.0.1:${port}` };
}

describe('web server', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let upstream: Awaited<ReturnType<typeof echoApi>>;
  beforeAll(async () => {
    upstream = await echoApi();
    const distDir = mkdtempSync(join(tmpdir(), 'samtal-web-'));
    mkdirSync(join(distDir, 'assets'));
    writeFileSync(join(distDir, 'index.html'), '<!doctype html><title>Samtal</title>');
    writeFileSync(join(distDir, 'assets', 'app-abc123.js'), 'export {}');
    app = await buildApp({
      config: { TRUST_PROXY: false, WEB_TENANT: 'vasteras' },
      upstreams: { intake: upstream.url, desk: upstream.url, dialogue: upstream.url, insights: upstream.url },
      distDir,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await upstream.api.close();
  });

  it('answers /health when the front end is built', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
  });

  it('serves the app shell on every app path with a strict CSP', async () => {
    for (const url of ['/', '/track', '/desk', '/manager/equity', '/admin/categories']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('caches hashed assets for good and 404s unknown paths as problem+json', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const missing = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(missing.statusCode).toBe(404);
  });

  it('proxies /api/<service>/ to the service, adding the tenant for intake and widening cookie paths', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/intake/v1/services?lang=sv' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ url: '/v1/services?lang=sv', tenant: 'vasteras' });
    expect(String(res.headers['set-cookie'])).toMatch(/Path=\/$/);
    const desk = await app.inject({ method: 'GET', url: '/api/desk/v1/queue' });
    expect(desk.json()).toEqual({ url: '/v1/queue', tenant: null });
  });

  it('refuses a WebSocket upgrade from another origin before it reaches an API', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/desk/v1/live',
      headers: {
        upgrade: 'websocket',
        connection: 'Upgrade',
        origin: 'https://evil.example',
        host: 'samtal.local',
      },
    });
    expect(res.statusCode).toBe(403);
  });

  it('tells the front end its tenant and languages', async () => {
    const res = await app.inject({ method: 'GET', url: '/config.json' });
    expect(res.json()).toEqual({ tenant: 'vasteras', languages: ['en', 'sv', 'zh-CN'] });
  });
});
