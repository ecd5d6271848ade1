import { DEMO_PASSWORD, type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { signIn } from '@samtal/staff-auth';
import { useTestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import { type Fixture, newCase, writerOf } from './work-helpers.ts';

/** Jinan's staff, whatever their role, can neither see nor change anything of Västerås. */
describe('cross-tenant access', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  let jinan: DemoTenant;
  const as = {} as Record<'agent' | 'supervisor' | 'officer' | 'admin', { authorization: string }>;
  let v: Record<string, string>;

  beforeAll(async () => {
    fixture = await deskFixture(ctx);
    jinan = await seedDemoMunicipality(ctx.database.db, {
      slug: 'jinan',
      open311Key: 'jinan-open311-key-000000000000000',
    });
    for (const role of ['agent', 'supervisor', 'officer', 'admin'] as const) {
      const { token } = await signIn(ctx.database.db, {
        tenantSlug: 'jinan',
        email: `${role}@jinan.demo`,
        password: DEMO_PASSWORD,
      });
      as[role] = { authorization: `Bearer ${token}` };
    }
    const writer = writerOf(fixture, ctx);
    const caseRow = await newCase(fixture, writer);
    const parent = await newCase(fixture, writer);
    await ctx.database.db
      .update(schema.cases)
      .set({ claimedBy: null })
      .where(eq(schema.cases.tenantId, fixture.demo.tenantId));
    const db = ctx.database.db;
    const [rule] = await db
      .select()
      .from(schema.routingRules)
      .where(eq(schema.routingRules.tenantId, fixture.demo.tenantId));
    const [policy] = await db
      .select()
      .from(schema.slaPolicies)
      .where(eq(schema.slaPolicies.tenantId, fixture.demo.tenantId));
    const [calendar] = await db
      .select()
      .from(schema.businessCalendars)
      .where(eq(schema.businessCalendars.tenantId, fixture.demo.tenantId));
    const [key] = await db
      .select()
      .from(schema.apiClients)
      .where(eq(schema.apiClients.tenantId, fixture.demo.tenantId));
    const [attribute] = await db
      .select()
      .from(schema.categoryAttributes)
      .where(eq(schema.categoryAttributes.tenantId, fixture.demo.tenantId));
    const agent = (await fixture.as('agent@vasteras.demo')).principal;
    v = {
      caseId: caseRow.id,
      parentId: parent.id,
      streets: fixture.demo.departments.streets!,
      category: attribute!.categoryId,
      attribute: attribute!.id,
      rule: rule!.id,
      policy: policy!.id,
      calendar: calendar!.id,
      key: key!.id,
      staff: agent.userId,
    };
  });
  afterAll(() => fixture.close());

  const changes: [string, 'supervisor' | 'officer' | 'admin', string, () => object | undefined][] = [
    ['GET', 'supervisor', '/v1/cases/:caseId', () => undefined],
    ['POST', 'supervisor', '/v1/cases/:caseId/claim', () => undefined],
    ['POST', 'supervisor', '/v1/cases/:caseId/release', () => undefined],
    ['POST', 'supervisor', '/v1/cases/:caseId/replies', () => ({ body: 'hi' })],
    ['POST', 'supervisor', '/v1/cases/:caseId/notes', () => ({ body: 'hi' })],
    ['POST', 'supervisor', '/v1/cases/:caseId/resolve', () => ({ resolutionCode: 'fixed' })],
    ['POST', 'supervisor', '/v1/cases/:caseId/request-information', () => ({ question: 'hi?' })],
    ['POST', 'supervisor', '/v1/cases/:caseId/progress', () => ({ body: 'hi' })],
    [
      'POST',
      'supervisor',
      '/v1/cases/:caseId/route',
      () => ({ leadDepartmentId: jinan.departments.streets }),
    ],
    ['POST', 'supervisor', '/v1/cases/:caseId/merge', () => ({ parentCaseId: v.parentId })],
    ['POST', 'supervisor', '/v1/cases/:caseId/accept', () => undefined],
    ['POST', 'supervisor', '/v1/cases/:caseId/return', () => ({ reason: 'no' })],
    ['PUT', 'supervisor', '/v1/cases/:caseId/contributions/:streets', () => ({ contribution: 'x' })],
    ['GET', 'supervisor', '/v1/departments/:streets/queue', () => undefined],
    ['PATCH', 'admin', '/v1/admin/departments/:streets', () => ({ name: 'Hijacked' })],
    ['DELETE', 'admin', '/v1/admin/departments/:streets', () => undefined],
    ['PATCH', 'admin', '/v1/admin/categories/:category', () => ({ active: false })],
    ['DELETE', 'admin', '/v1/admin/categories/:category', () => undefined],
    ['GET', 'admin', '/v1/admin/categories/:category/attributes', () => undefined],
    [
      'POST',
      'admin',
      '/v1/admin/categories/:category/attributes',
      () => ({ code: 'x', datatype: 'string', descriptions: { en: 'x' } }),
    ],
    ['PATCH', 'admin', '/v1/admin/categories/:category/attributes/:attribute', () => ({ required: false })],
    ['DELETE', 'admin', '/v1/admin/categories/:category/attributes/:attribute', () => undefined],
    ['PATCH', 'admin', '/v1/admin/routing-rules/:rule', () => ({ active: false })],
    ['DELETE', 'admin', '/v1/admin/routing-rules/:rule', () => undefined],
    ['PATCH', 'admin', '/v1/admin/sla-policies/:policy', () => ({ name: 'x' })],
    ['DELETE', 'admin', '/v1/admin/sla-policies/:policy', () => undefined],
    ['PATCH', 'admin', '/v1/admin/calendars/:calendar', () => ({ name: 'x' })],
    ['DELETE', 'admin', '/v1/admin/calendars/:calendar', () => undefined],
    ['GET', 'admin', '/v1/admin/calendars/:calendar/holidays', () => undefined],
    ['PUT', 'admin', '/v1/admin/calendars/:calendar/holidays/2026-12-24', () => ({ name: 'x' })],
    ['DELETE', 'admin', '/v1/admin/calendars/:calendar/holidays/2026-12-24', () => undefined],
    ['PATCH', 'admin', '/v1/admin/staff/:staff', () => ({ active: false })],
    ['PUT', 'admin', '/v1/admin/staff/:staff/departments', () => ({ departmentIds: [] })],
    ['DELETE', 'admin', '/v1/admin/api-keys/:key', () => undefined],
  ];

  it.each(changes)('%s (as a Jinan %s) %s → 404', async (method, role, path, payload) => {
    const url = path.replace(/:(\w+)/g, (_m, name: string) => v[name]!);
    const body = payload();
    const res = await fixture.app.inject({
      method: method as 'GET',
      url,
      headers: as[role],
      ...(body ? { payload: body } : {}),
    });
    expect(res.statusCode, res.body).toBe(404);
  });

  it('left every Västerås record as it was', async () => {
    const db = ctx.database.db;
    const [c] = await db.select().from(schema.cases).where(eq(schema.cases.id, v.caseId!));
    expect(c).toMatchObject({ status: 'new', claimedBy: null, resolutionCode: null });
    const [d] = await db.select().from(schema.departments).where(eq(schema.departments.id, v.streets!));
    expect(d!.name).toBe('Gata och park');
    const [u] = await db.select().from(schema.staffUsers).where(eq(schema.staffUsers.id, v.staff!));
    expect(u!.active).toBe(true);
    const messages = await db.select().from(schema.messages).where(eq(schema.messages.caseId, v.caseId!));
    expect(messages).toHaveLength(0);
  });

  it('lists only the own tenant’s records', async () => {
    const get = (url: string, role: 'supervisor' | 'admin') =>
      fixture.app.inject({ method: 'GET', url, headers: as[role] }).then((r) => r.json());
    expect((await get('/v1/cases', 'supervisor')).items).toEqual([]);
    expect((await get('/v1/agent/queue', 'supervisor')).items).toEqual([]);
    const ids = (list: { id: string }[]) => list.map((x) => x.id);
    expect(ids(await get('/v1/admin/departments', 'admin'))).not.toContain(v.streets);
    expect(ids(await get('/v1/admin/categories', 'admin'))).not.toContain(v.category);
    expect(ids(await get('/v1/admin/routing-rules', 'admin'))).not.toContain(v.rule);
    expect(ids(await get('/v1/admin/sla-policies', 'admin'))).not.toContain(v.policy);
    expect(ids(await get('/v1/admin/calendars', 'admin'))).not.toContain(v.calendar);
    expect(ids(await get('/v1/admin/staff', 'admin'))).not.toContain(v.staff);
    expect(ids(await get('/v1/admin/api-keys', 'admin'))).not.toContain(v.key);
    const audit = await get('/v1/audit?limit=500', 'admin');
    const tenantOfActor = await ctx.database.db
      .select({ id: schema.staffUsers.id })
      .from(schema.staffUsers)
      .where(eq(schema.staffUsers.tenantId, fixture.demo.tenantId));
    const vasteras = new Set(tenantOfActor.map((u) => u.id));
    expect(audit.items.some((i: { actorId: string }) => vasteras.has(i.actorId))).toBe(false);
  });

  it('refuses references to another tenant’s records, naming the field', async () => {
    const jinanCase = await newCase(fixture, writerOf(fixture, ctx), {
      tenantId: jinan.tenantId,
      agentId: (
        await signIn(ctx.database.db, {
          tenantSlug: 'jinan',
          email: 'agent@jinan.demo',
          password: DEMO_PASSWORD,
        })
      ).principal.userId,
    });
    const route = await fixture.app.inject({
      method: 'POST',
      url: `/v1/cases/${jinanCase.id}/route`,
      headers: as.agent,
      payload: { leadDepartmentId: v.streets },
    });
    expect(route.statusCode, route.body).toBe(400);
    expect(route.json().errors).toEqual([
      { field: 'leadDepartmentId', message: 'is not an active department of this municipality' },
    ]);
    const merge = await fixture.app.inject({
      method: 'POST',
      url: `/v1/cases/${jinanCase.id}/merge`,
      headers: as.agent,
      payload: { parentCaseId: v.caseId },
    });
    expect(merge.statusCode, merge.body).toBe(400);
    expect(merge.json().errors[0].field).toBe('parentCaseId');
    const category = await fixture.app.inject({
      method: 'POST',
      url: '/v1/admin/categories',
      headers: as.admin,
      payload: {
        code: 'trees',
        names: { en: 'Trees' },
        defaultDepartmentId: v.streets,
        slaPolicyId: v.policy,
      },
    });
    expect(category.statusCode).toBe(400);
    expect(category.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'defaultDepartmentId',
      'slaPolicyId',
    ]);
    const staff = await fixture.app.inject({
      method: 'POST',
      url: '/v1/admin/staff',
      headers: as.admin,
      payload: {
        email: 'new@jinan.demo',
        displayName: 'New',
        roles: ['department_officer'],
        password: 'a long enough password',
        departmentIds: [v.streets],
      },
    });
    expect(staff.statusCode).toBe(400);
    expect(staff.json().errors[0].field).toBe('departmentIds.0');
  });
});
