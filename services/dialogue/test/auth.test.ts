import { schema as s } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, fixture, signIn } from './helpers.ts';

describe('staff authentication', () => {
  const ctx = useTestContext();
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture(ctx);
  });
  afterAll(() => f.close());

  const list = (headers: Record<string, string>) =>
    f.app.inject({ method: 'GET', url: '/v1/dialogues', headers });

  it('answers 401 without a session cookie', async () => {
    const res = await list({});
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 401 for an unknown, expired or revoked session', async () => {
    expect((await list({ cookie: 'samtal_session=not-a-session' })).statusCode).toBe(401);
    const expired = await signIn(ctx.database, f.tenantId, `manager@${f.slug}.demo`, { expired: true });
    expect((await list(expired.headers)).statusCode).toBe(401);
    const revoked = await signIn(ctx.database, f.tenantId, `manager@${f.slug}.demo`, { revoked: true });
    expect((await list(revoked.headers)).statusCode).toBe(401);
  });

  it('answers 401 for a session issued before "sign out everywhere", and 200 for one after', async () => {
    const old = await signIn(ctx.database, f.tenantId, `admin@${f.slug}.demo`, {
      createdAt: new Date(Date.now() - 60_000),
    });
    await ctx.database.db
      .update(s.staffUsers)
      .set({ sessionsValidAfter: new Date(Date.now() - 30_000) })
      .where(eq(s.staffUsers.id, old.userId));
    expect((await list(old.headers)).statusCode).toBe(401);
    const fresh = await signIn(ctx.database, f.tenantId, `admin@${f.slug}.demo`);
    expect((await list(fresh.headers)).statusCode).toBe(200);
  });

  it('answers 401 when the user was deactivated', async () => {
    const session = await signIn(ctx.database, f.tenantId, `supervisor@${f.slug}.demo`);
    await ctx.database.db
      .update(s.staffUsers)
      .set({ active: false })
      .where(eq(s.staffUsers.id, session.userId));
    expect((await list(session.headers)).statusCode).toBe(401);
  });

  it('lets managers read but not write, and keeps agents out', async () => {
    expect((await list(f.manager.headers)).statusCode).toBe(200);
    expect((await list(f.agent.headers)).statusCode).toBe(403);
    const res = await f.app.inject({
      method: 'POST',
      url: '/v1/dialogues',
      headers: f.manager.headers,
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toContain('dialogues.write');
  });

  it('refuses a change without the session’s CSRF token', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: '/v1/dialogues',
      headers: { cookie: f.facilitator.headers.cookie! },
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toContain('x-csrf-token');
  });

  it('limits public writes per client with a 429 problem', async () => {
    const limited = await fixture(ctx, { publicWritesPerMinute: 2 });
    const dialogue = await limited.app.inject({
      method: 'POST',
      url: '/v1/dialogues',
      headers: limited.facilitator.headers,
      payload: { title: 't', question: 'q', purpose: 'p', method: 'other', languages: ['sv'] },
    });
    const register = () =>
      limited.app.inject({
        method: 'POST',
        url: `/v1/public/${limited.slug}/dialogues/${dialogue.json().id}/participants`,
        payload: {},
      });
    expect((await register()).statusCode).toBe(201);
    expect((await register()).statusCode).toBe(201);
    const third = await register();
    expect(third.statusCode).toBe(429);
    expect(third.headers['content-type']).toContain('application/problem+json');
    // Reading is not limited.
    const read = await limited.app.inject({ method: 'GET', url: `/v1/public/${limited.slug}/dialogues` });
    expect(read.statusCode).toBe(200);
    await limited.close();
  });

  it('serves the OpenAPI document at /docs and health at /health', async () => {
    const docs = await f.app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.statusCode).toBe(200);
    const paths = Object.keys(docs.json().paths);
    expect(paths).toContain('/v1/dialogues/{dialogueId}/indicators');
    expect(paths).toContain('/v1/public/{tenantSlug}/dialogues/{dialogueId}/outcomes');
    const health = await f.app.inject({ method: 'GET', url: '/health' });
    expect(health.json()).toEqual({ status: 'ok', checks: { postgres: { status: 'ok' } } });
  });
});
