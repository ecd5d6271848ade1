import { DEMO_PASSWORD, type DemoTenant, seedDemoMunicipality } from '@samtal/db';
import { createServer } from '@samtal/http';
import { useTestContext } from '@samtal/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  can,
  requirePermission,
  SESSION_COOKIE,
  SignInError,
  signIn,
  signOutEverywhere,
  staffAuth,
  staffOf,
  verifySession,
} from '../src/index.ts';

describe('staff sign-in and sessions', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
  });

  const input = (email: string, password = DEMO_PASSWORD) => ({
    tenantSlug: demo.slug,
    email,
    password,
    ip: '127.0.0.1',
  });

  it('opens a session for the right password, case-insensitively on e-mail', async () => {
    const { token, principal } = await signIn(ctx.database.db, input('OFFICER@vasteras.demo'));
    expect(principal.roles).toEqual(['department_officer']);
    expect(principal.departmentIds).toEqual([demo.departments.streets]);
    expect((await verifySession(ctx.database.db, token))?.userId).toBe(principal.userId);
    expect(await verifySession(ctx.database.db, 'not-a-token')).toBeUndefined();
  });

  it('answers unknown e-mail and wrong password alike', async () => {
    const unknown = await signIn(ctx.database.db, input('nobody@vasteras.demo')).catch((e) => e);
    const wrong = await signIn(ctx.database.db, input('agent@vasteras.demo', 'wrong password!')).catch(
      (e) => e,
    );
    expect(unknown).toBeInstanceOf(SignInError);
    expect(wrong.message).toBe(unknown.message);
  });

  it('locks an account after five failures, even against the right password', async () => {
    for (let i = 0; i < 5; i++)
      await signIn(ctx.database.db, input('agent2@vasteras.demo', 'bad')).catch(() => {});
    await expect(signIn(ctx.database.db, input('agent2@vasteras.demo'))).rejects.toBeInstanceOf(SignInError);
  });

  it('signs out everywhere', async () => {
    const a = await signIn(ctx.database.db, input('manager@vasteras.demo'));
    const b = await signIn(ctx.database.db, input('manager@vasteras.demo'));
    await signOutEverywhere(ctx.database.db, a.principal.userId);
    expect(await verifySession(ctx.database.db, a.token)).toBeUndefined();
    expect(await verifySession(ctx.database.db, b.token)).toBeUndefined();
    const c = await signIn(ctx.database.db, input('manager@vasteras.demo'));
    expect(await verifySession(ctx.database.db, c.token)).toBeDefined();
  });

  it('guards routes by permission and cookie requests by CSRF token', async () => {
    const app = await createServer();
    await app.register(staffAuth, { db: ctx.database.db });
    app.post('/configure', { preHandler: requirePermission('admin.configure') }, async (request) => ({
      by: staffOf(request).email,
    }));
    await app.ready();
    const admin = await signIn(ctx.database.db, input('admin@vasteras.demo'));
    const agent = await signIn(ctx.database.db, input('agent@vasteras.demo'));

    expect((await app.inject({ method: 'POST', url: '/configure' })).statusCode).toBe(401);
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/configure',
      cookies: { [SESSION_COOKIE]: admin.token },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().detail).toContain('CSRF');
    const ok = await app.inject({
      method: 'POST',
      url: '/configure',
      cookies: { [SESSION_COOKIE]: admin.token },
      headers: { 'x-csrf-token': admin.principal.csrfToken },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ by: 'admin@vasteras.demo' });
    const bearer = await app.inject({
      method: 'POST',
      url: '/configure',
      headers: { authorization: `Bearer ${agent.token}` },
    });
    expect(bearer.statusCode).toBe(403);
    expect(can(['agent'], 'cases.agent')).toBe(true);
    await app.close();
  });
});
