import { schema } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadTenant } from '../src/context.ts';
import { refreshRollups } from '../src/rollups.ts';
import { insertCase, type SeededTenant, seedTenant, wallClockMinutes } from './fixtures.ts';

const NOW = new Date('2026-03-11T12:00:00Z'); // a Wednesday
const at = (iso: string, plusMinutes = 0) => new Date(Date.parse(iso) + plusMinutes * 60_000);
const secs = (iso: string, plusSeconds: number) => new Date(Date.parse(iso) + plusSeconds * 1000);

describe('availability indicators', () => {
  const ctx = useTestContext();
  let t: SeededTenant;
  const app = () =>
    buildApp({
      config: { TRUST_PROXY: false, WALLBOARD_INTERVAL_MS: 1000 },
      db: ctx.database,
      businessMinutes: wallClockMinutes,
      now: () => NOW,
    });

  beforeAll(async () => {
    const db = ctx.database;
    t = await seedTenant(db, { slug: 'avail', k: 3 });
    const { pothole, bins } = t.categories;
    // 1: web, routed to streets, first response in 60 (due 120: met), resolved at 300 (due 200: missed),
    //    closed, rated 5, returned once.
    const c1 = await insertCase(db, t.tenantId, {
      channel: 'web',
      categoryId: pothole,
      leadDepartmentId: t.departments.streets,
      createdAt: at('2026-03-09T08:00:00Z'),
      firstRespondedAt: at('2026-03-09T08:00:00Z', 60),
      firstResponseDueAt: at('2026-03-09T08:00:00Z', 120),
      resolvedAt: at('2026-03-09T08:00:00Z', 300),
      resolutionDueAt: at('2026-03-09T08:00:00Z', 200),
      status: 'closed',
      returnCount: 1,
    });
    // 2: e-mail to streets, answered after 600 (due 480: missed), resolution due in the future.
    await insertCase(db, t.tenantId, {
      channel: 'email',
      categoryId: pothole,
      leadDepartmentId: t.departments.streets,
      createdAt: at('2026-03-09T09:00:00Z'),
      firstRespondedAt: at('2026-03-09T09:00:00Z', 600),
      firstResponseDueAt: at('2026-03-09T09:00:00Z', 480),
      resolutionDueAt: at('2026-03-12T09:00:00Z'),
      status: 'in_progress',
    });
    // 3: phone, answered and resolved by the contact centre in the first contact, rated 2.
    const c3 = await insertCase(db, t.tenantId, {
      channel: 'phone',
      categoryId: bins,
      leadDepartmentId: t.departments.contactCentre,
      createdAt: at('2026-03-10T10:00:00Z'),
      firstRespondedAt: at('2026-03-10T10:00:00Z'),
      firstResponseDueAt: at('2026-03-10T10:00:00Z', 120),
      resolvedAt: at('2026-03-10T10:00:00Z', 10),
      resolutionDueAt: at('2026-03-10T10:00:00Z', 1000),
      firstContactResolution: true,
      status: 'resolved',
    });
    // 4: web, unanswered, first response was due an hour after creation (passed by NOW).
    await insertCase(db, t.tenantId, {
      channel: 'web',
      categoryId: bins,
      createdAt: at('2026-03-10T11:00:00Z'),
      firstResponseDueAt: at('2026-03-10T12:00:00Z'),
      status: 'new',
      districtId: t.districts.north,
    });
    // 5: merged duplicate (left out); 6: before the period (left out).
    await insertCase(db, t.tenantId, {
      categoryId: bins,
      createdAt: at('2026-03-10T11:30:00Z'),
      status: 'merged',
      parentCaseId: c1,
    });
    await insertCase(db, t.tenantId, {
      categoryId: bins,
      createdAt: at('2026-03-08T12:00:00Z'),
      status: 'closed',
    });
    // 7: web, answered in 30, resolved at 100, then reopened; rated 4.
    const c7 = await insertCase(db, t.tenantId, {
      channel: 'web',
      categoryId: bins,
      createdAt: at('2026-03-10T07:00:00Z'),
      firstRespondedAt: at('2026-03-10T07:00:00Z', 30),
      resolvedAt: at('2026-03-10T07:00:00Z', 100),
      reopenCount: 1,
      status: 'reopened',
    });
    await db.db.insert(schema.feedback).values([
      { tenantId: t.tenantId, caseId: c1, rating: 5 },
      { tenantId: t.tenantId, caseId: c3, rating: 2 },
      { tenantId: t.tenantId, caseId: c7, rating: 4 },
    ]);
    const base = '2026-03-09T08:00:00Z';
    await db.db.insert(schema.contacts).values([
      {
        tenantId: t.tenantId,
        channel: 'phone',
        offeredAt: new Date(base),
        answeredAt: secs(base, 15),
        endedAt: secs(base, 75),
        wrapUpEndedAt: secs(base, 135),
        caseId: c1,
      },
      {
        tenantId: t.tenantId,
        channel: 'phone',
        offeredAt: at(base, 60),
        answeredAt: secs(at(base, 60).toISOString(), 40),
        endedAt: secs(at(base, 60).toISOString(), 100),
      },
      {
        tenantId: t.tenantId,
        channel: 'phone',
        offeredAt: at('2026-03-10T10:00:00Z'),
        abandonedAt: secs('2026-03-10T10:00:00Z', 8),
      },
      {
        tenantId: t.tenantId,
        channel: 'chat',
        offeredAt: at('2026-03-10T10:00:00Z'),
        answeredAt: secs('2026-03-10T10:00:00Z', 20),
      },
    ]);
    await db.db.insert(schema.staffPresence).values([
      {
        tenantId: t.tenantId,
        userId: t.users.agent,
        status: 'busy',
        startedAt: at(base),
        endedAt: at(base, 60),
      },
      {
        tenantId: t.tenantId,
        userId: t.users.agent,
        status: 'available',
        startedAt: at(base, 60),
        endedAt: at(base, 90),
      },
    ]);
  });

  const url = (extra = '') => `/v1/availability?from=2026-03-09&to=2026-03-10${extra}`;

  it('computes every metric as by hand', async () => {
    const server = await app();
    const res = await server.inject({ url: url('&source=exact'), headers: { cookie: t.cookies.manager } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.source).toBe('exact');
    const m = body.totals;
    expect(m.cases).toBe(5);
    expect(m.contacts).toEqual({
      offered: 4,
      answered: 3,
      abandoned: 1,
      answeredWithinThreshold: 2,
      serviceLevel: 0.5,
      serviceLevelMet: false,
      asaSeconds: 25,
      abandonmentRate: 0.25,
      ahtSeconds: 90,
    });
    expect(m.firstResponseMinutes).toEqual({ n: 4, median: 45, p90: 438 });
    expect(m.resolutionMinutes).toEqual({ n: 3, median: 100, p90: 260 });
    expect(m.slaFirstResponse).toMatchObject({ numerator: 2, denominator: 4, value: 0.5 });
    expect(m.slaResolution).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
    expect(m.firstContactResolution).toMatchObject({ numerator: 1, denominator: 5 });
    expect(m.directAnswerRate).toMatchObject({ numerator: 2, denominator: 5 });
    expect(m.kkikEmail).toMatchObject({ numerator: 2, denominator: 4 });
    expect(m.rates12345.response).toMatchObject({ numerator: 2, denominator: 4 });
    expect(m.rates12345.resolution).toMatchObject({ numerator: 2, denominator: 2, value: 1 });
    expect(m.rates12345.satisfaction).toMatchObject({ numerator: 2, denominator: 3, value: 0.6667 });
    expect(m.csat).toEqual({ ratings: 3, index: 66.67 });
    expect(m.returnRate).toMatchObject({ numerator: 1, denominator: 2 });
    expect(m.reopenRate).toMatchObject({ numerator: 1, denominator: 3 });
    expect(m.slaFirstResponse.ci.lower).toBeLessThan(0.5);
    expect(body.occupancy).toEqual({ handlingSeconds: 3600, idleSeconds: 1800, value: 0.6667 });
    expect(body.backlog.open).toBe(3);
    expect(body.backlog.ageHours).toEqual({ median: 29, p90: 46.6, max: 51 });
    expect(body.trend.map((b: { bucket: string; cases: number }) => [b.bucket, b.cases])).toEqual([
      ['2026-03-09', 2],
      ['2026-03-10', 3],
    ]);
    await server.close();
  });

  it('gives the same case numbers over a long period (feedback by hash join) as over a short one (by key)', async () => {
    const server = await app();
    const get = async (from: string, to: string) =>
      (
        await server.inject({
          url: `/v1/availability?from=${from}&to=${to}&source=exact&interval=month`,
          headers: { cookie: t.cookies.manager },
        })
      ).json().totals;
    // Every case of the fixture lies in March 2026: 31 days by key, 120 days by hash join.
    const short = await get('2026-03-01', '2026-03-31');
    const long = await get('2026-01-01', '2026-04-30');
    expect(short.cases).toBe(6);
    expect(long.cases).toBe(short.cases);
    expect(long.csat).toEqual({ ratings: 3, index: 66.67 });
    expect(long.csat).toEqual(short.csat);
    expect(long.rates12345).toEqual(short.rates12345);
    expect(long.firstResponseMinutes).toEqual(short.firstResponseMinutes);
    await server.close();
  });

  it('suppresses satisfaction and CSAT below k ratings', async () => {
    const server = await app();
    const res = await server.inject({
      url: url('&source=exact&category=pothole'),
      headers: { cookie: t.cookies.manager },
    });
    const m = res.json().totals;
    expect(m.cases).toBe(2);
    expect(m.csat).toEqual({ suppressed: true });
    expect(m.rates12345.satisfaction).toEqual({ suppressed: true });
    await server.close();
  });

  it('answers the same from the rollups as from the exact queries', async () => {
    const tenant = await loadTenant(ctx.database, t.tenantId);
    const days = await refreshRollups(ctx.database, tenant, { businessMinutes: wallClockMinutes, now: NOW });
    expect(days).toContain('2026-03-09');
    const server = await app();
    for (const extra of [
      '',
      '&interval=week',
      '&channel=web',
      '&category=bins',
      '&department=streets',
      '&channel=phone',
      // Combined filters read the category × department × channel cells.
      '&channel=web&category=bins',
      '&category=bins&department=streets&channel=phone',
      '&department=streets&interval=month',
    ]) {
      const exact = await server.inject({
        url: url(`&source=exact${extra}`),
        headers: { cookie: t.cookies.manager },
      });
      const rollup = await server.inject({
        url: url(`&source=rollup${extra}`),
        headers: { cookie: t.cookies.manager },
      });
      const auto = await server.inject({ url: url(extra), headers: { cookie: t.cookies.manager } });
      expect(rollup.json().source).toBe('rollup');
      expect(auto.json().source).toBe('rollup');
      const strip = (b: Record<string, unknown>) => ({
        ...b,
        source: undefined,
        rollupRefreshedAt: undefined,
      });
      expect(strip(rollup.json()), extra).toEqual(strip(exact.json()));
    }
    // A district filter is not a rollup cut: answered exactly.
    const district = await server.inject({
      url: url('&district=north'),
      headers: { cookie: t.cookies.manager },
    });
    expect(district.json()).toMatchObject({ source: 'exact', totals: { cases: 1 } });
    await server.close();
  });

  it('exports the trend as CSV that a spreadsheet opens', async () => {
    const server = await app();
    const res = await server.inject({
      url: url('&format=csv&source=exact'),
      headers: { cookie: t.cookies.manager },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body.startsWith('\uFEFFbucket,cases,contacts.offered')).toBe(true);
    const lines = res.body.trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]!.startsWith('total,5,4,')).toBe(true);
    await server.close();
  });

  it('needs a manager, supervisor or admin session', async () => {
    const server = await app();
    expect((await server.inject({ url: url() })).statusCode).toBe(401);
    const agent = await server.inject({ url: url(), headers: { cookie: t.cookies.agent } });
    expect(agent.statusCode).toBe(403);
    expect(agent.headers['content-type']).toContain('application/problem+json');
    expect((await server.inject({ url: url(), headers: { cookie: t.cookies.supervisor } })).statusCode).toBe(
      200,
    );
    expect(
      (await server.inject({ url: url(), headers: { cookie: 'samtal_session=forged' } })).statusCode,
    ).toBe(401);
    await server.close();
  });

  it('checks the session before the query: 401 and 403 come before a 400 for bad parameters', async () => {
    const server = await app();
    const bad = url('&channel=pigeon&serviceLevelSeconds=0');
    const anonymous = await server.inject({ url: bad });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().errors).toBeUndefined();
    expect((await server.inject({ url: bad, headers: { cookie: t.cookies.agent } })).statusCode).toBe(403);
    expect((await server.inject({ url: bad, headers: { cookie: t.cookies.manager } })).statusCode).toBe(400);
    // An import with a broken body: the same order.
    const post = await server.inject({
      method: 'POST',
      url: '/v1/rollups/refresh',
      payload: { days: ['x'] },
    });
    expect(post.statusCode).toBe(401);
    await server.close();
  });

  it('rejects bad filters with a problem naming the field', async () => {
    const server = await app();
    const cases = [
      ['&department=nope', 'department'],
      ['&channel=pigeon', 'channel'],
      ['&serviceLevelSeconds=0', 'serviceLevelSeconds'],
    ] as const;
    for (const [extra, field] of cases) {
      const res = await server.inject({ url: url(extra), headers: { cookie: t.cookies.manager } });
      expect(res.statusCode, extra).toBe(400);
      expect(res.json().errors[0].field, extra).toContain(field);
    }
    const backwards = await server.inject({
      url: '/v1/availability?from=2026-03-10&to=2026-03-09',
      headers: { cookie: t.cookies.manager },
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].field).toBe('from');
    await server.close();
  });
});
