import { businessMinutesBetween, loadCalendar } from '@samtal/business-time';
import { createTestContext, useTestContext } from '@samtal/testing';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { seedSyntheticMunicipality } from '../src/index.ts';

const ctx = useTestContext();
const open = (url: string) => postgres(url, { max: 1, onnotice: () => {} });
const options = { cases: 6000, seed: 42, slug: 'synth', days: 365, end: '2026-11-01' };

/** A digest of everything generated that does not depend on ids the database chose. */
async function digest(url: string) {
  const sql = open(url);
  try {
    const [row] = await sql`
      select md5(string_agg(concat_ws('|', c.id, c.tracking_code, c.channel, c.status, c.priority,
               c.created_at, c.first_responded_at, c.resolved_at, c.closed_at, c.return_count,
               c.reopen_count, f.rating, p.groups::text), ',' order by c.id)) as cases,
             (select count(*)::int from case_events) as events,
             (select count(*)::int from contacts) as contacts,
             (select count(*)::int from contributions) as contributions
        from cases c
        left join feedback f on f.case_id = c.id
        left join demographic_profiles p on p.case_id = c.id`;
    return row;
  } finally {
    await sql.end();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

describe('synthetic municipality', () => {
  it('loads the asked number of cases with their history, deterministically from the seed', async () => {
    const result = await seedSyntheticMunicipality({ ...options, databaseUrl: ctx.databaseUrl }, open);
    expect(result.rows.cases).toBe(6000);
    const sql = ctx.database.sql;
    const [counts] = await sql`
      select (select count(*)::int from cases where tenant_id = ${result.tenantId}) as cases,
             (select count(*)::int from case_events where type = 'created') as created_events,
             (select count(distinct tracking_code)::int from cases) as codes,
             (select count(*)::int from demographic_profiles where case_id is not null) as profiles,
             (select count(*)::int from contacts where case_id is null and abandoned_at is not null) as abandoned,
             (select count(*)::int from staff_presence) as presence,
             (select count(*)::int from participations) as participations,
             (select count(*)::int from outcome_links) as links,
             (select count(*)::int from cases where created_at >= '2026-11-01' or created_at < '2025-11-01') as outside`;
    expect(counts).toMatchObject({ cases: 6000, created_events: 6000, codes: 6000, outside: 0 });
    expect(counts!.profiles).toBeGreaterThan(6000 * 0.45);
    expect(counts!.profiles).toBeLessThan(6000 * 0.65);
    expect(counts!.abandoned).toBeGreaterThan(0);
    expect(counts!.presence).toBeGreaterThan(1000);
    expect(counts!.participations).toBeGreaterThan(100);
    expect(counts!.links).toBeGreaterThan(0);
    for (const [table, n] of Object.entries(result.rows)) expect(n, table).toBeGreaterThan(0);

    // The same seed in a fresh database writes the same rows.
    const other = await createTestContext();
    try {
      await seedSyntheticMunicipality({ ...options, databaseUrl: other.databaseUrl }, open);
      expect(await digest(other.databaseUrl)).toEqual(await digest(ctx.databaseUrl));
    } finally {
      await other.dispose();
    }
  }, 120_000);

  it('carries the documented disparities, and none by gender', async () => {
    const sql = ctx.database.sql;
    const [tenant] = await sql`select id from tenants where slug = 'synth'`;
    const calendar = (await loadCalendar(ctx.database.db, tenant!.id))!;
    const rows = await sql<{ created_at: Date; first_responded_at: Date; groups: Record<string, string> }[]>`
      select c.created_at, c.first_responded_at, p.groups
        from cases c join demographic_profiles p on p.case_id = c.id
       where c.first_responded_at is not null and c.channel in ('web', 'email', 'app', 'open311')`;
    const minutesBy = (dimension: string, group: string) =>
      median(
        rows
          .filter((r) => r.groups[dimension] === group)
          .map((r) =>
            businessMinutesBetween(calendar, new Date(r.created_at), new Date(r.first_responded_at)),
          ),
      );
    // Somali speakers and Bäckby wait clearly longer for a first response.
    expect(minutesBy('language', 'so') / minutesBy('language', 'sv')).toBeGreaterThan(1.6);
    expect(minutesBy('district', 'backby') / minutesBy('district', 'centrum')).toBeGreaterThan(1.3);
    const gender = minutesBy('gender', 'woman') / minutesBy('gender', 'man');
    expect(gender).toBeGreaterThan(0.75);
    expect(gender).toBeLessThan(1.33);

    // Residents 65+ are less satisfied.
    const satisfaction = await sql<{ old: boolean; rate: number }[]>`
      select (p.groups->>'age_band') = '65+' as old, avg((f.rating >= 4)::int)::float8 as rate
        from feedback f join demographic_profiles p on p.case_id = f.case_id
       where p.groups ? 'age_band' group by 1`;
    const rate = (old: boolean) => satisfaction.find((s) => s.old === old)!.rate;
    expect(rate(false) - rate(true)).toBeGreaterThan(0.15);

    // 18–29 are under-represented among inquiries against the population baseline.
    const [reach] = await sql<{ share: number; population: number }[]>`
      select avg(((p.groups->>'age_band') = '18-29')::int)::float8 as share,
             (select sum(population) filter (where group_code = '18-29')::float8 / sum(population)
                from population_baselines where tenant_id = ${tenant!.id} and year = 2026 and dimension = 'age_band') as population
        from demographic_profiles p where p.case_id is not null and p.groups ? 'age_band'`;
    expect(reach!.share / reach!.population).toBeLessThan(0.8);
  });
});
