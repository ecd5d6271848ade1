import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxRelay } from '@samtal/cases';
import { DEMO_PASSWORD, type DemoTenant, seedDemoMunicipality } from '@samtal/db';
import { createRedis } from '@samtal/queue';
import { signIn } from '@samtal/staff-auth';
import type { TestContext } from '@samtal/testing';
import { buildApp } from '../src/app.ts';

/** A desk app over the test file's own database and queue prefix, plus the demo tenant. */
export async function deskFixture(ctx: TestContext) {
  const demo: DemoTenant = await seedDemoMunicipality(ctx.database.db);
  const relay = new OutboxRelay({ db: ctx.database.db, queues: ctx.queues, graceMs: 0 });
  const subscriber = createRedis(ctx.redisUrl, 'worker');
  /** Where erasure deletes files (intake's UPLOAD_DIR in production). */
  const uploadDir = mkdtempSync(join(tmpdir(), 'samtal-desk-uploads-'));
  const app = await buildApp({
    config: { TRUST_PROXY: false, SESSION_TTL_HOURS: 1, COOKIE_SECURE: false, UPLOAD_DIR: uploadDir },
    db: ctx.database,
    writer: { db: ctx.database.db, redis: ctx.redis, prefix: ctx.queuePrefix, relay },
    subscriber,
  });
  await app.ready();
  /** Signs a demo staff member in; returns headers for `inject` (bearer token, so no CSRF needed). */
  async function as(email: string) {
    const { token, principal } = await signIn(ctx.database.db, {
      tenantSlug: demo.slug,
      email,
      password: DEMO_PASSWORD,
    });
    return { headers: { authorization: `Bearer ${token}` }, token, principal };
  }
  return {
    app,
    demo,
    relay,
    as,
    uploadDir,
    async close() {
      await app.close();
      await relay.stop();
      subscriber.disconnect();
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}
