import { schema } from '@samtal/db';
import { sha256 } from '@samtal/security';
import { useTestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import type { Fixture } from './work-helpers.ts';

describe('admin API', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  let headers: Record<string, string>;
  beforeAll(async () => {
    fixture = await deskFixture(ctx);
    headers = (await fixture.as('admin@vasteras.demo')).headers;
  });
  afterAll(() => fixture.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    fixture.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const fields = (res: { json(): { errors?: { field: string }[] } }) =>
    res.json().errors?.map((e) => e.field);

  it('creates a department, a policy, a category with an attribute and a rule that uses them, all audited', async () => {
    const dept = await call('POST', '/v1/admin/departments', { code: 'parks', name: 'Parker' });
    expect(dept.statusCode, dept.body).toBe(201);
    expect((await call('POST', '/v1/admin/departments', { code: 'parks', name: 'Again' })).statusCode).toBe(
      409,
    );
    const policy = await call('POST', '/v1/admin/sla-policies', {
      code: 'trees',
      name: 'Trees',
      firstResponseMinutes: 120,
      resolutionMinutes: 60,
    });
    expect(policy.statusCode).toBe(400);
    expect(fields(policy)).toEqual(['resolutionMinutes']);
    const okPolicy = await call('POST', '/v1/admin/sla-policies', {
      code: 'trees',
      name: 'Trees',
      firstResponseMinutes: 120,
      resolutionMinutes: 2400,
      warningShare: 0.8,
    });
    expect(okPolicy.statusCode, okPolicy.body).toBe(201);
    const category = await call('POST', '/v1/admin/categories', {
      code: 'fallen-tree',
      names: { sv: 'Nedfallet träd', en: 'Fallen tree' },
      defaultDepartmentId: dept.json().id,
      slaPolicyId: okPolicy.json().id,
    });
    expect(category.statusCode, category.body).toBe(201);
    const listWithoutValues = await call('POST', `/v1/admin/categories/${category.json().id}/attributes`, {
      code: 'blocking',
      datatype: 'singlevaluelist',
      descriptions: { en: 'Is it blocking the road?' },
    });
    expect(listWithoutValues.statusCode).toBe(400);
    expect(fields(listWithoutValues)).toEqual(['values']);
    const attribute = await call('POST', `/v1/admin/categories/${category.json().id}/attributes`, {
      code: 'blocking',
      datatype: 'singlevaluelist',
      required: true,
      descriptions: { en: 'Is it blocking the road?' },
      values: [
        { key: 'yes', names: { en: 'Yes' } },
        { key: 'no', names: { en: 'No' } },
      ],
    });
    expect(attribute.statusCode, attribute.body).toBe(201);
    const rule = await call('POST', '/v1/admin/routing-rules', {
      name: 'Trees to parks',
      position: 5,
      conditions: { categories: ['fallen-tree', 'no-such-category'] },
      leadDepartmentId: dept.json().id,
    });
    expect(rule.statusCode).toBe(400);
    expect(fields(rule)).toEqual(['conditions.categories.1']);
    const okRule = await call('POST', '/v1/admin/routing-rules', {
      name: 'Trees to parks',
      position: 5,
      conditions: { categories: ['fallen-tree'] },
      leadDepartmentId: dept.json().id,
    });
    expect(okRule.statusCode, okRule.body).toBe(201);
    // The department is in use now: deleting it is refused, deactivating it works.
    expect((await call('DELETE', `/v1/admin/departments/${dept.json().id}`)).statusCode).toBe(409);
    expect(
      (await call('PATCH', `/v1/admin/departments/${dept.json().id}`, { active: false })).json().active,
    ).toBe(false);
    const audit = await call('GET', '/v1/audit?limit=20');
    expect(audit.json().items.map((i: { action: string }) => i.action)).toEqual(
      expect.arrayContaining([
        'admin.department.create',
        'admin.sla_policy.create',
        'admin.category.create',
        'admin.category_attribute.create',
        'admin.routing_rule.create',
        'admin.department.update',
      ]),
    );
  });

  it('validates calendars with validateCalendar and keeps one default', async () => {
    const bad = await call('POST', '/v1/admin/calendars', {
      name: 'Broken',
      timeZone: 'Mars/Olympus',
      openingHours: { '1': [{ open: '17:00', close: '08:00' }], '9': [] },
    });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['timeZone', 'openingHours.1.0', 'openingHours.9']);
    const good = await call('POST', '/v1/admin/calendars', {
      name: 'Sommar',
      timeZone: 'Europe/Stockholm',
      openingHours: { '1': [{ open: '08:00', close: '16:00' }] },
      isDefault: true,
    });
    expect(good.statusCode, good.body).toBe(201);
    const calendars = (await call('GET', '/v1/admin/calendars')).json();
    expect(calendars.filter((c: { isDefault: boolean }) => c.isDefault)).toHaveLength(1);
    const holiday = await call('PUT', `/v1/admin/calendars/${good.json().id}/holidays/2026-06-19`, {
      name: 'Midsommarafton',
    });
    expect(holiday.statusCode).toBe(200);
    expect((await call('GET', `/v1/admin/calendars/${good.json().id}/holidays`)).json()).toEqual([
      { day: '2026-06-19', name: 'Midsommarafton' },
    ]);
    const badDay = await call('PUT', `/v1/admin/calendars/${good.json().id}/holidays/2026-13-40`, {
      name: 'x',
    });
    expect(badDay.statusCode).toBe(400);
    expect(fields(badDay)).toEqual(['params.day']);
  });

  it('adds staff with a hashed password under the policy, and a new member can sign in', async () => {
    const weak = await call('POST', '/v1/admin/staff', {
      email: 'new@vasteras.demo',
      displayName: 'Nina',
      roles: ['department_officer'],
      password: 'short',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors).toEqual([{ field: 'password', message: 'must be at least 12 characters' }]);
    const created = await call('POST', '/v1/admin/staff', {
      email: 'new@vasteras.demo',
      displayName: 'Nina',
      roles: ['department_officer'],
      password: 'correct horse battery',
      departmentIds: [fixture.demo.departments.water],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.body).not.toContain('password');
    const [row] = await ctx.database.db
      .select()
      .from(schema.staffUsers)
      .where(eq(schema.staffUsers.id, created.json().id));
    expect(row!.passwordHash).toMatch(/^scrypt\$/);
    const signIn = await fixture.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-in',
      payload: { tenant: 'vasteras', email: 'new@vasteras.demo', password: 'correct horse battery' },
    });
    expect(signIn.json().staff.departmentIds).toEqual([fixture.demo.departments.water]);
    const dup = await call('POST', '/v1/admin/staff', {
      email: 'NEW@vasteras.demo',
      displayName: 'Twin',
      roles: ['agent'],
      password: 'correct horse battery',
    });
    expect(dup.statusCode).toBe(409);
    // Deactivation ends the member's sessions.
    await call('PATCH', `/v1/admin/staff/${created.json().id}`, { active: false });
    const me = await fixture.app.inject({
      method: 'GET',
      url: '/v1/auth/me',
      headers: { authorization: `Bearer ${signIn.json().token}` },
    });
    expect(me.statusCode).toBe(401);
    // An administrator cannot lock herself out.
    const admin = await fixture.as('admin@vasteras.demo');
    expect(
      (await call('PATCH', `/v1/admin/staff/${admin.principal.userId}`, { roles: ['agent'] })).statusCode,
    ).toBe(409);
  });

  it('shows an Open311 key once and stores only its hash; revoking deactivates it', async () => {
    const created = await call('POST', '/v1/admin/api-keys', { name: 'Fix My Street app' });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json();
    const [row] = await ctx.database.db.select().from(schema.apiClients).where(eq(schema.apiClients.id, id));
    expect(row!.keyHash).toBe(sha256(key));
    const list = (await call('GET', '/v1/admin/api-keys')).body;
    expect(list).not.toContain(key);
    const revoked = await call('DELETE', `/v1/admin/api-keys/${id}`);
    expect(revoked.json()).toMatchObject({ active: false });
    const audit = await call('GET', '/v1/audit?entity=api_client');
    expect(JSON.stringify(audit.json())).not.toContain(key);
  });

  it('pages through the audit log newest first', async () => {
    const first = (await call('GET', '/v1/audit?limit=3')).json();
    expect(first.items).toHaveLength(3);
    const second = (await call('GET', `/v1/audit?limit=3&before=${first.nextBefore}`)).json();
    expect(second.items[0].id).toBeLessThan(first.items[2].id);
    const bad = await call('GET', '/v1/audit?from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['querystring.from']);
  });
});
