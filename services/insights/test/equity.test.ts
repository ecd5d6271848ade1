import { schema } from '@samtal/db';
import { withdrawConsent } from '@samtal/privacy';
import { useTestContext } from '@samtal/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadTenant } from '../src/context.ts';
import { refreshRollups } from '../src/rollups.ts';
import { insertCase, type SeededTenant, seedTenant, wallClockMinutes } from './fixtures.ts';

const NOW = new Date('2026-03-11T12:00:00Z');
const S = { suppressed: true };

describe('equity indicators', () => {
  const ctx = useTestContext();
  let t: SeededTenant;
  let dialogueId: string;
  const app = () =>
    buildApp({
      config: { TRUST_PROXY: false, WALLBOARD_INTERVAL_MS: 1000 },
      db: ctx.database,
      businessMinutes: wallClockMinutes,
      now: () => NOW,
    });

  beforeAll(async () => {
    const h = ctx.database;
    const { db } = h;
    t = await seedTenant(h, { slug: 'equity', k: 3 });
    const tenantId = t.tenantId;
    await db.insert(schema.demographicDimensions).values([
      {
        tenantId,
        code: 'gender',
        names: { en: 'Gender' },
        sortOrder: 1,
        groups: [
          { code: 'women', names: { en: 'Women' } },
          { code: 'men', names: { en: 'Men' } },
          { code: 'nonbinary', names: { en: 'Non-binary' } },
        ],
      },
      {
        tenantId,
        code: 'age',
        names: { en: 'Age' },
        sortOrder: 2,
        groups: [
          { code: 'young', names: { en: 'Under 40' } },
          { code: 'old', names: { en: '40 and over' } },
        ],
      },
    ]);
    await db.insert(schema.populationBaselines).values([
      { tenantId, year: 2024, dimension: 'age', groupCode: 'young', population: 100 },
      { tenantId, year: 2024, dimension: 'age', groupCode: 'old', population: 900 },
      { tenantId, year: 2025, dimension: 'age', groupCode: 'young', population: 600 },
      { tenantId, year: 2025, dimension: 'age', groupCode: 'old', population: 400 },
    ]);
    const created = new Date('2026-03-09T08:00:00Z');
    const plus = (m: number) => new Date(created.getTime() + m * 60_000);
    const person = async (
      groups: Record<string, string> | null,
      respondedAfter: number,
      resolved: boolean,
      rating?: number,
    ) => {
      const caseId = await insertCase(h, tenantId, {
        categoryId: t.categories.pothole,
        createdAt: created,
        firstRespondedAt: plus(respondedAfter),
        firstResponseDueAt: plus(45),
        resolvedAt: resolved ? plus(500) : null,
        status: resolved ? 'resolved' : 'in_progress',
      });
      if (groups) {
        await db
          .insert(schema.demographicProfiles)
          .values({ tenantId, caseId, groups, consentAt: created, consentTextVersion: 'v1' });
      }
      if (rating) await db.insert(schema.feedback).values({ tenantId, caseId, rating });
    };
    // women: 6 cases, first responses 10…60 min (due 45: 4 met), all resolved, ratings 5, 5, 4.
    const womenAges = ['young', 'young', 'young', 'young', 'old', 'old'];
    const womenRatings = [5, 5, 4];
    for (let i = 0; i < 6; i++) {
      await person({ gender: 'women', age: womenAges[i]! }, (i + 1) * 10, true, womenRatings[i]);
    }
    // men: 4 cases, 100…400 min (none met), 2 resolved, ratings 2, 1, 5.
    const menRatings = [2, 1, 5];
    for (let i = 0; i < 4; i++) {
      await person({ gender: 'men', age: i < 3 ? 'young' : 'old' }, (i + 1) * 100, i < 2, menRatings[i]);
    }
    await person({ gender: 'nonbinary', age: 'old' }, 10, true);
    await person({ gender: 'alien' }, 10, true); // not a configured group → unknown
    await person(null, 10, true);
    await person(null, 10, true);

    // A dialogue: three registered participants, aggregate counts from a paper sheet, contributions.
    const [dialogue] = await db
      .insert(schema.dialogues)
      .values({
        tenantId,
        title: 'Park',
        question: 'What now?',
        purpose: 'x',
        method: 'workshop',
        languages: ['sv'],
      })
      .returning();
    dialogueId = dialogue!.id;
    const individual = async (gender: string) => {
      const [p] = await db
        .insert(schema.participations)
        .values({ tenantId, dialogueId, kind: 'individual', createdAt: created })
        .returning();
      await db.insert(schema.demographicProfiles).values({
        tenantId,
        participationId: p!.id,
        groups: { gender },
        consentAt: created,
        consentTextVersion: 'v1',
      });
      return p!.id;
    };
    const p1 = await individual('women');
    const p2 = await individual('women');
    const p3 = await individual('men');
    await db.insert(schema.participations).values([
      { tenantId, dialogueId, kind: 'aggregate', count: 10, groups: { gender: 'women' }, createdAt: created },
      { tenantId, dialogueId, kind: 'aggregate', count: 4, groups: { gender: 'men' }, createdAt: created },
      { tenantId, dialogueId, kind: 'aggregate', count: 2, groups: {}, createdAt: created },
    ]);
    const contribution = async (participationId: string | null, groups: Record<string, string>) => {
      const [c] = await db
        .insert(schema.contributions)
        .values({
          tenantId,
          dialogueId,
          participationId,
          source: participationId ? 'participant' : 'anonymous',
          kind: 'idea',
          body: 'x',
          groups,
          createdAt: created,
        })
        .returning();
      return c!.id;
    };
    const c1 = await contribution(p1, {});
    const c2 = await contribution(p2, {});
    const c3 = await contribution(p3, {});
    const c4 = await contribution(null, { gender: 'men' });
    await contribution(null, { gender: 'women' });
    await contribution(null, {});
    await contribution(null, { gender: 'women' });
    const [outcome] = await db
      .insert(schema.outcomes)
      .values({ tenantId, dialogueId, kind: 'decision', titles: { en: 'New benches' } })
      .returning();
    await db.insert(schema.outcomeLinks).values([
      { tenantId, outcomeId: outcome!.id, contributionId: c1, response: 'taken' },
      { tenantId, outcomeId: outcome!.id, contributionId: c2, response: 'not_taken' },
      { tenantId, outcomeId: outcome!.id, contributionId: c3, response: 'partly' },
      { tenantId, outcomeId: outcome!.id, contributionId: c4, response: 'taken' },
    ]);
  });

  const get = async (url: string) => {
    const server = await app();
    const res = await server.inject({ url, headers: { cookie: t.cookies.manager } });
    await server.close();
    return res;
  };

  it('counts groups with primary and secondary suppression, unknown as its own group', async () => {
    const res = await get('/v1/equity?from=2026-03-09&to=2026-03-10&dimension=gender');
    expect(res.statusCode).toBe(200);
    const [gender] = res.json().dimensions;
    // women 6, men 4, non-binary 1 (< k = 3), unknown 3 (secondary: else total − rest reveals non-binary)
    expect(gender.total).toBe(14);
    expect(gender.groups.map((g: { group: string; count: unknown }) => [g.group, g.count])).toEqual([
      ['women', 6],
      ['men', 4],
      ['nonbinary', S],
      ['unknown', S],
    ]);
    expect(gender.groups[0].share).toBe(0.4286);
    expect(gender.groups[2].share).toEqual(S);
    // the unknown cell is hidden, so representation and Rose are too
    expect(gender.groups[0].representationRatio).toEqual(S);
    expect(gender.roseIndex).toBeNull(); // no gender baseline
  });

  it('computes per-group service quality with Wilson intervals and disparity flags', async () => {
    const [gender] = (await get('/v1/equity?from=2026-03-09&to=2026-03-10&dimension=gender')).json()
      .dimensions;
    const women = gender.groups[0];
    const men = gender.groups[1];
    expect(women.medianFirstResponseMinutes).toBe(35);
    expect(men.medianFirstResponseMinutes).toBe(250);
    expect(women.resolutionRate).toMatchObject({ n: 6, value: 1 });
    expect(women.resolutionRate.ci.upper).toBe(1);
    expect(men.resolutionRate).toMatchObject({ n: 4, value: 0.5 });
    expect(women.slaCompliance).toMatchObject({ n: 6, value: 0.6667 });
    expect(men.slaCompliance).toMatchObject({ n: 4, value: 0 });
    expect(men.slaCompliance.ci.lower).toBe(0);
    expect(women.satisfaction).toMatchObject({ n: 3, value: 1 });
    expect(men.satisfaction).toMatchObject({ n: 3, value: 0.3333 });
    expect(gender.groups[2].resolutionRate).toEqual(S);
    expect(gender.groups[3].satisfaction).toEqual(S);
    // resolution 0.5 ÷ 1: flagged, but z = −1.94 is not a clear gap at 5 %
    expect(gender.disparity.resolutionRate).toMatchObject({
      ratio: 0.5,
      lowestGroup: 'men',
      highestGroup: 'women',
      flagged: true,
      clearGap: false,
    });
    // SLA 0/4 vs 4/6: z = −2.11, a clear gap
    expect(gender.disparity.slaCompliance).toMatchObject({ ratio: 0, flagged: true, clearGap: true });
    expect(gender.disparity.medianFirstResponse).toMatchObject({
      ratio: 0.14,
      flagged: true,
      clearGap: null,
    });
  });

  it('compares with the latest population baseline: representation and Rose index', async () => {
    const [age] = (await get('/v1/equity?from=2026-03-09&to=2026-03-10&dimension=age')).json().dimensions;
    expect(age.baselineYear).toBe(2025);
    expect(age.groups.map((g: { group: string; count: unknown }) => [g.group, g.count])).toEqual([
      ['young', 7],
      ['old', 4],
      ['unknown', 3],
    ]);
    // among the 11 who answered: young 7/11 vs 0.6, old 4/11 vs 0.4
    expect(age.groups[0]).toMatchObject({ populationShare: 0.6, representationRatio: 1.061 });
    expect(age.groups[1]).toMatchObject({ populationShare: 0.4, representationRatio: 0.909 });
    expect(age.groups[2]).toMatchObject({ populationShare: null, representationRatio: null });
    // 1 − ½(|7/11 − 0.6| + |4/11 − 0.4|) = 0.96364
    expect(age.roseIndex).toBe(0.9636);
  });

  it('a period without cases suppresses everything, never shows zeros', async () => {
    const [gender] = (await get('/v1/equity?from=2026-01-01&to=2026-01-31&dimension=gender')).json()
      .dimensions;
    expect(gender.total).toEqual(S);
    expect(
      gender.groups.every((g: { count: unknown }) => JSON.stringify(g.count) === JSON.stringify(S)),
    ).toBe(true);
    expect(gender.disparity.resolutionRate).toMatchObject({ ratio: null, flagged: false });
  });

  it('measures reach, heard and influence in dialogues', async () => {
    const res = await get(
      `/v1/equity/dialogues?from=2026-03-09&to=2026-03-10&dialogue=${dialogueId}&dimension=gender`,
    );
    expect(res.statusCode).toBe(200);
    const [gender] = res.json().dimensions;
    // reach: women 2 + 10, men 1 + 4, non-binary 0, unknown 2 → 0 and 2 hidden (sum 2 < 3) so men too
    expect(gender.reach.total).toBe(19);
    expect(gender.reach.groups.map((g: { count: unknown }) => g.count)).toEqual([12, S, S, S]);
    // heard: women 4 (c1, c2, c5, c7), men 2 (c3, c4), non-binary 0, unknown 1 (c6)
    expect(gender.heard.total).toBe(7);
    expect(gender.heard.groups.map((g: { count: unknown }) => g.count)).toEqual([4, S, S, S]);
    // influence: women 1 of 4 (c1 taken; c2 not taken)
    expect(gender.heard.groups[0].influence).toMatchObject({ n: 4, value: 0.25 });
  });

  it('exports equity tables as CSV and hides nothing in it that JSON hides', async () => {
    const res = await get('/v1/equity?from=2026-03-09&to=2026-03-10&format=csv');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = res.body.replace('\uFEFF', '').trim().split('\r\n');
    expect(lines[0]!.startsWith('dimension,baselineYear,roseIndex,group,count,share')).toBe(true);
    expect(lines).toHaveLength(1 + 4 + 3);
    expect(lines.find((l) => l.includes(',nonbinary,'))).toContain(',suppressed,suppressed,');
  });

  it('rejects an unknown dialogue id format', async () => {
    const res = await get('/v1/equity/dialogues?dialogue=not-a-uuid');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toContain('dialogue');
  });

  const refresh = async (now = NOW) =>
    refreshRollups(ctx.database, await loadTenant(ctx.database, t.tenantId), {
      businessMinutes: wallClockMinutes,
      now,
    });

  it('answers the same from the equity rollups as from the cases', async () => {
    const period = '/v1/equity?from=2026-03-09&to=2026-03-10';
    expect((await get(period)).json().source).toBe('exact'); // no rollups yet
    await refresh();
    for (const extra of [
      '',
      '&dimension=gender',
      '&channel=web',
      '&channel=phone',
      '&dimension=age&channel=web',
    ]) {
      const exact = (await get(`${period}&source=exact${extra}`)).json();
      const rollup = (await get(`${period}${extra}`)).json();
      expect(exact.source).toBe('exact');
      expect(rollup.source, extra).toBe('rollup');
      expect({ ...rollup, source: undefined }, extra).toEqual({ ...exact, source: undefined });
    }
    // Category and department are not equity rollup cuts: answered from the cases.
    expect((await get(`${period}&category=pothole`)).json().source).toBe('exact');
  });

  // Last: it changes the data the tests above count.
  it('leaves out a person who withdrew consent: their case counts as unknown from then on', async () => {
    const [profile] = await ctx.database.sql<{ case_id: string }[]>`
      select case_id from demographic_profiles
      where tenant_id = ${t.tenantId} and groups->>'gender' = 'women' and case_id is not null limit 1`;
    // As if the cases had not changed since they were created (the fixture writes today's time).
    await ctx.database.sql`update cases set updated_at = created_at where tenant_id = ${t.tenantId}`;
    await ctx.database
      .sql`update feedback set created_at = ${NOW.toISOString()} where tenant_id = ${t.tenantId}`;
    const removed = await withdrawConsent(ctx.database.db, t.tenantId, {
      caseIds: [profile!.case_id],
      participationIds: [],
    });
    expect(removed).toBe(1);
    // The withdrawal marks the case changed, so the next rollup refresh recomputes its day, also
    // when that day is no longer among the recent days every refresh recomputes.
    const days = await refresh(new Date(NOW.getTime() + 30 * 86_400_000));
    expect(days).toContain('2026-03-09');
    for (const source of ['exact', 'auto']) {
      const body = (
        await get(`/v1/equity?from=2026-03-09&to=2026-03-10&dimension=gender&source=${source}`)
      ).json();
      expect(body.source).toBe(source === 'auto' ? 'rollup' : 'exact');
      const [gender] = body.dimensions;
      expect(gender.total).toBe(14);
      expect(gender.groups.find((g: { group: string }) => g.group === 'women').count).toBe(5);
    }
  });
});
