import { schema } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { insertCase, type SeededTenant, seedTenant, wallClockMinutes } from './fixtures.ts';

const NOW = new Date('2026-03-10T10:00:00Z');

describe('wallboard, partners, docs, metrics, rollup refresh', () => {
  const ctx = useTestContext();
  let a: SeededTenant;
  let b: SeededTenant;
  let c: SeededTenant;
  const app = () =>
    buildApp({
      config: { TRUST_PROXY: false, WALLBOARD_INTERVAL_MS: 500 },
      db: ctx.database,
      businessMinutes: wallClockMinutes,
      now: () => NOW,
    });

  beforeAll(async () => {
    a = await seedTenant(ctx.database, { slug: 'alpha', partnerComparison: true });
    b = await seedTenant(ctx.database, { slug: 'beta', partnerComparison: true, k: 10 });
    c = await seedTenant(ctx.database, { slug: 'gamma' });
    const { db } = ctx.database;
    await db.insert(schema.contacts).values([
      // waiting for 90 s and 30 s
      { tenantId: a.tenantId, channel: 'phone', offeredAt: new Date(NOW.getTime() - 90_000) },
      { tenantId: a.tenantId, channel: 'chat', offeredAt: new Date(NOW.getTime() - 30_000) },
      // answered today after 10 s
      {
        tenantId: a.tenantId,
        channel: 'phone',
        offeredAt: new Date('2026-03-10T08:00:00Z'),
        answeredAt: new Date('2026-03-10T08:00:10Z'),
        endedAt: new Date('2026-03-10T08:05:00Z'),
      },
      // another municipality's waiting call: never on alpha's board
      { tenantId: b.tenantId, channel: 'phone', offeredAt: new Date(NOW.getTime() - 10_000) },
    ]);
    await db.insert(schema.staffPresence).values([
      {
        tenantId: a.tenantId,
        userId: a.users.agent,
        status: 'available',
        startedAt: new Date('2026-03-10T07:00:00Z'),
      },
      {
        tenantId: a.tenantId,
        userId: a.users.manager,
        status: 'busy',
        startedAt: new Date('2026-03-10T07:00:00Z'),
      },
    ]);
    await insertCase(ctx.database, a.tenantId, {
      categoryId: a.categories.pothole,
      createdAt: new Date('2026-03-10T08:00:00Z'),
      trackingCode: 'ABC-DEFG-HJK',
      firstResponseDueAt: new Date(NOW.getTime() + 20 * 60_000),
    });
    await insertCase(ctx.database, a.tenantId, {
      categoryId: a.categories.pothole,
      createdAt: new Date('2026-03-10T08:00:00Z'),
      sensitive: true,
      firstResponseDueAt: new Date(NOW.getTime() + 30 * 60_000),
    });
    await insertCase(ctx.database, a.tenantId, {
      categoryId: a.categories.pothole,
      createdAt: new Date('2026-03-10T08:00:00Z'),
      firstResponseDueAt: new Date(NOW.getTime() + 5 * 3600_000),
    });
  });

  it('shows the wallboard snapshot of the own municipality', async () => {
    const server = await app();
    const res = await server.inject({ url: '/v1/wallboard', headers: { cookie: a.cookies.supervisor } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      contactsWaiting: 2,
      longestWaitSeconds: 90,
      agentsByStatus: { available: 1, busy: 1 },
      today: { offered: 3, answeredWithinThreshold: 1, serviceLevel: 0.3333 },
      casesAtRisk: {
        count: 2,
        cases: [{ trackingCode: 'ABC-DEFG-HJK', kind: 'first_response', breached: false }],
      },
    });
    await server.close();
  });

  it('pushes the wallboard over WebSocket, and refuses the upgrade without a session', async () => {
    const server = await app();
    await server.ready();
    const ws = await server.injectWS('/v1/wallboard/ws', { headers: { cookie: a.cookies.manager } });
    const messages: { type: string; contactsWaiting: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data) => {
        messages.push(JSON.parse(String(data)));
        if (messages.length === 2) resolve();
      });
    });
    expect(messages[0]).toMatchObject({ type: 'wallboard', contactsWaiting: 2 });
    ws.terminate();
    await expect(server.injectWS('/v1/wallboard/ws')).rejects.toThrow();
    await server.close();
  });

  it('compares two municipalities that both opted in, each with its own k', async () => {
    const server = await app();
    const list = await server.inject({ url: '/v1/partners', headers: { cookie: a.cookies.manager } });
    expect(list.json()).toEqual({ optedIn: true, partners: [{ slug: 'beta', name: 'Municipality beta' }] });
    const res = await server.inject({
      url: '/v1/partners/compare?partner=beta&from=2026-03-01&to=2026-03-10',
      headers: { cookie: a.cookies.manager },
    });
    expect(res.statusCode).toBe(200);
    const [own, partner] = res.json().municipalities;
    expect(own).toMatchObject({ slug: 'alpha', k: 5, availability: { cases: 3 } });
    expect(partner).toMatchObject({
      slug: 'beta',
      k: 10,
      availability: { cases: 0, contacts: { offered: 1 } },
    });
    // gamma did not opt in: neither it nor a viewer from it may compare
    const gamma = await server.inject({
      url: '/v1/partners/compare?partner=gamma',
      headers: { cookie: a.cookies.manager },
    });
    expect(gamma.statusCode).toBe(400);
    expect(gamma.json().errors[0].field).toBe('partner');
    const fromGamma = await server.inject({
      url: '/v1/partners/compare?partner=alpha',
      headers: { cookie: c.cookies.manager },
    });
    expect(fromGamma.statusCode).toBe(403);
    const csv = await server.inject({
      url: '/v1/partners/compare?partner=beta&format=csv',
      headers: { cookie: a.cookies.manager },
    });
    expect(csv.body.split('\r\n')).toHaveLength(4);
    await server.close();
  });

  it('documents every route at /docs and serves Prometheus metrics', async () => {
    const server = await app();
    const doc = await server.inject({ url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const spec = doc.json();
    for (const path of [
      '/v1/availability',
      '/v1/equity',
      '/v1/equity/dialogues',
      '/v1/contacts',
      '/v1/contacts/import',
      '/v1/baselines',
      '/v1/baselines/import',
      '/v1/partners/compare',
      '/v1/wallboard',
    ]) {
      expect(spec.paths[path], path).toBeDefined();
    }
    expect(JSON.stringify(spec.paths['/v1/availability'])).toContain('Service level X/Y');
    expect((await server.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
    await server.inject({ url: '/v1/wallboard', headers: { cookie: a.cookies.manager } });
    const metrics = await server.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain(
      'samtal_insights_http_requests_total{route="/v1/wallboard",status="2xx"} 1',
    );
    await server.close();
  });

  it('refreshes rollups on request (managers and admins)', async () => {
    const server = await app();
    const res = await server.inject({
      method: 'POST',
      url: '/v1/rollups/refresh',
      payload: { days: ['2026-03-01'] },
      headers: { cookie: a.cookies.manager, 'x-csrf-token': a.csrf.manager },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().days).toEqual(expect.arrayContaining(['2026-03-01', '2026-03-10']));
    const [row] = await ctx.database.sql`
      select sum(cases)::int as cases from insight_rollups_daily
       where tenant_id = ${a.tenantId} and cut = 'all' and day = '2026-03-10'`;
    expect(row!.cases).toBe(3);
    const bad = await server.inject({
      method: 'POST',
      url: '/v1/rollups/refresh',
      payload: { days: ['yesterday'] },
      headers: { cookie: a.cookies.manager, 'x-csrf-token': a.csrf.manager },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('days.0');
    await server.close();
  });
});
