import { schema } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { insertCase, type SeededTenant, seedTenant } from './fixtures.ts';

describe('time to first response in business time (the default @samtal/business-time)', () => {
  const ctx = useTestContext();
  let t: SeededTenant;

  beforeAll(async () => {
    t = await seedTenant(ctx.database, { slug: 'biztime' }); // Mon–Fri 08:00–16:00 Europe/Stockholm
    const [calendar] = await ctx.database.db.select().from(schema.businessCalendars);
    await ctx.database.db
      .insert(schema.calendarHolidays)
      .values({ tenantId: t.tenantId, calendarId: calendar!.id, day: '2026-03-16', name: 'Test holiday' });
    // Friday 15:00 local (14:00Z) → Monday 09:00 local: 60 + 60 business minutes over a weekend.
    await insertCase(ctx.database, t.tenantId, {
      categoryId: t.categories.pothole,
      createdAt: new Date('2026-03-06T14:00:00Z'),
      firstRespondedAt: new Date('2026-03-09T08:00:00Z'),
    });
    // Friday 15:00 → Tuesday 09:00 with Monday a holiday: 60 + 60 again.
    await insertCase(ctx.database, t.tenantId, {
      categoryId: t.categories.pothole,
      createdAt: new Date('2026-03-13T14:00:00Z'),
      firstRespondedAt: new Date('2026-03-17T08:00:00Z'),
    });
    // Saturday 10:00 → Monday 08:30: only the Monday half hour counts.
    await insertCase(ctx.database, t.tenantId, {
      categoryId: t.categories.pothole,
      createdAt: new Date('2026-03-07T09:00:00Z'),
      firstRespondedAt: new Date('2026-03-09T07:30:00Z'),
    });
  });

  it('skips nights, weekends and holidays', async () => {
    const app = await buildApp({
      config: { TRUST_PROXY: false, WALLBOARD_INTERVAL_MS: 1000 },
      db: ctx.database,
      now: () => new Date('2026-03-20T12:00:00Z'),
    });
    const res = await app.inject({
      url: '/v1/availability?from=2026-03-01&to=2026-03-20&source=exact',
      headers: { cookie: t.cookies.manager },
    });
    expect(res.statusCode).toBe(200);
    // [30, 120, 120] → median 120; p90 = 120
    expect(res.json().totals.firstResponseMinutes).toEqual({ n: 3, median: 120, p90: 120 });
    await app.close();
  });
});
