import { DEMO_PASSWORD } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import type { Fixture } from './work-helpers.ts';

describe('staff sign-in routes', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await deskFixture(ctx);
  });
  afterAll(() => fixture.close());

  const signIn = (email: string, password = DEMO_PASSWORD, tenant = 'vasteras') =>
    fixture.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-in',
      headers: { 'user-agent': 'vitest' },
      payload: { tenant, email, password },
    });

  function cookieOf(res: Awaited<ReturnType<typeof signIn>>) {
    const cookie = res.cookies.find((c) => c.name === 'samtal_session')!;
    return cookie;
  }

  it('sets an HTTP-only, SameSite=Lax session cookie and returns the CSRF and bearer tokens', async () => {
    const res = await signIn('agent@vasteras.demo');
    expect(res.statusCode, res.body).toBe(200);
    const cookie = cookieOf(res);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();
    expect(res.json()).toMatchObject({ staff: { email: 'agent@vasteras.demo', roles: ['agent'] } });
    expect(res.json().token).toBe(cookie.value);

    const me = await fixture.app.inject({
      method: 'GET',
      url: '/v1/auth/me',
      cookies: { samtal_session: cookie.value },
    });
    expect(me.json().displayName).toBe('Anna Agent');
  });

  it('requires the CSRF token on changes made with the cookie', async () => {
    const res = await signIn('agent@vasteras.demo');
    const cookies = { samtal_session: cookieOf(res).value };
    const without = await fixture.app.inject({ method: 'POST', url: '/v1/auth/sign-out', cookies });
    expect(without.statusCode).toBe(403);
    const withToken = await fixture.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-out',
      cookies,
      headers: { 'x-csrf-token': res.json().csrfToken },
    });
    expect(withToken.statusCode).toBe(204);
    const after = await fixture.app.inject({ method: 'GET', url: '/v1/auth/me', cookies });
    expect(after.statusCode).toBe(401);
  });

  it('hands a reloaded page the session’s CSRF token again, which then authorises changes', async () => {
    const res = await signIn('agent@vasteras.demo');
    const cookies = { samtal_session: cookieOf(res).value };
    const me = await fixture.app.inject({ method: 'GET', url: '/v1/auth/me', cookies });
    expect(me.statusCode).toBe(200);
    expect(me.json().csrfToken).toBe(res.json().csrfToken);
    const other = await signIn('agent@vasteras.demo');
    expect(other.json().csrfToken).not.toBe(me.json().csrfToken); // one token per session
    const signedOut = await fixture.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-out',
      cookies,
      headers: { 'x-csrf-token': me.json().csrfToken },
    });
    expect(signedOut.statusCode).toBe(204);
  });

  it('answers 401 for a wrong password, an unknown user and another tenant alike', async () => {
    for (const res of [
      await signIn('agent@vasteras.demo', 'not the password'),
      await signIn('nobody@vasteras.demo'),
      await signIn('agent@vasteras.demo', DEMO_PASSWORD, 'jinan'),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toBe('Wrong e-mail or password, or the account is locked for a while');
      expect(res.cookies).toEqual([]);
    }
  });

  it('names the missing field', async () => {
    const res = await fixture.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-in',
      payload: { email: 'agent@vasteras.demo', password: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['tenant']);
  });

  it('locks the account after five failures, even against the right password, and audits it', async () => {
    for (let i = 0; i < 5; i++)
      expect((await signIn('manager@vasteras.demo', 'wrong guess')).statusCode).toBe(401);
    expect((await signIn('manager@vasteras.demo')).statusCode).toBe(401);
    const admin = (await signIn('admin@vasteras.demo')).json();
    const audit = await fixture.app.inject({
      method: 'GET',
      url: '/v1/audit?action=sign_in_locked',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(audit.json().items).toHaveLength(1);
    expect(audit.json().items[0].userAgent).toBe('vitest');

    // An administrator lifts the lock.
    const staff = await fixture.app.inject({
      method: 'GET',
      url: '/v1/admin/staff',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const manager = staff.json().find((s: { email: string }) => s.email === 'manager@vasteras.demo');
    expect(manager.lockedUntil).not.toBeNull();
    const unlocked = await fixture.app.inject({
      method: 'PATCH',
      url: `/v1/admin/staff/${manager.id}`,
      headers: { authorization: `Bearer ${admin.token}` },
      payload: { unlock: true },
    });
    expect(unlocked.json().lockedUntil).toBeNull();
    expect((await signIn('manager@vasteras.demo')).statusCode).toBe(200);
  });

  it('signs out everywhere', async () => {
    const a = (await signIn('supervisor@vasteras.demo')).json();
    const b = (await signIn('supervisor@vasteras.demo')).json();
    const out = await fixture.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-out-everywhere',
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(out.statusCode).toBe(204);
    for (const token of [a.token, b.token]) {
      const me = await fixture.app.inject({
        method: 'GET',
        url: '/v1/auth/me',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.statusCode).toBe(401);
    }
  });

  it('publishes the OpenAPI document', async () => {
    const res = await fixture.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    expect(paths).toContain('/v1/cases/{id}/claim');
    expect(paths).toContain('/v1/admin/categories/{id}/attributes');
  });
});
