import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDb } from '@samtal/db';
import { createRedis } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';

const run = promisify(execFile);
const serviceDir = fileURLToPath(new URL('..', import.meta.url));

describe('intake /health', () => {
  const ctx = useTestContext();

  it('answers 200 when PostgreSQL and Redis answer', async () => {
    const app = await buildApp({ config: { TRUST_PROXY: false }, db: ctx.database, queues: ctx.queues });
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      checks: { postgres: { status: 'ok' }, redis: { status: 'ok' } },
    });
    expect(res.headers['x-request-id']).toBeTruthy();
    await app.close();
  });

  it('answers 503 naming Redis when Redis is down', async () => {
    // A real client pointed at a port where no Redis listens: what the service sees when Redis stops.
    const deadRedis = createRedis('redis://127.0.0.1:1', 'producer');
    const app = await buildApp({
      config: { TRUST_PROXY: false },
      db: ctx.database,
      queues: { connection: deadRedis, prefix: ctx.queuePrefix },
    });
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('unavailable');
    expect(body.checks.redis.status).toBe('down');
    expect(body.checks.postgres.status).toBe('ok');
    await app.close();
    deadRedis.disconnect();
  });

  it('answers 503 naming PostgreSQL when PostgreSQL is down', async () => {
    const deadDb = createDb('postgres://postgres@127.0.0.1:1/none');
    const app = await buildApp({ config: { TRUST_PROXY: false }, db: deadDb, queues: ctx.queues });
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.postgres.status).toBe('down');
    expect(res.json().checks.redis.status).toBe('ok');
    await app.close();
    await deadDb.close();
  });

  it('answers unknown routes with problem+json and a request id', async () => {
    const app = await buildApp({ config: { TRUST_PROXY: false }, db: ctx.database, queues: ctx.queues });
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 404, title: 'Not found', requestId: expect.any(String) });
    await app.close();
  });

  it('exits non-zero naming a bad environment variable', async () => {
    const error = await run('pnpm', ['exec', 'tsx', 'src/main.ts'], {
      cwd: serviceDir,
      env: { ...process.env, INTAKE_PORT: 'not-a-port' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 78 });
    expect((error as { stderr: string }).stderr).toContain('INTAKE_PORT="not-a-port"');
  });
});
