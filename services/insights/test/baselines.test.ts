import { schema } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { type SeededTenant, seedTenant } from './fixtures.ts';

describe('population baselines import', () => {
  const ctx = useTestContext();
  let t: SeededTenant;
  const writer = () => ({
    cookie: t.cookies.manager,
    'x-csrf-token': t.csrf.manager,
    'content-type': 'text/csv',
  });
  const rows = async () =>
    ctx.database
      .sql`select year, dimension, group_code, population::int as population from population_baselines
                      where tenant_id = ${t.tenantId} order by year, dimension, group_code`;

  beforeAll(async () => {
    t = await seedTenant(ctx.database, { slug: 'census' });
    await ctx.database.db.insert(schema.demographicDimensions).values([
      {
        tenantId: t.tenantId,
        code: 'gender',
        names: { en: 'Gender' },
        groups: [
          { code: 'women', names: { en: 'Women' } },
          { code: 'men', names: { en: 'Men' } },
        ],
      },
      {
        tenantId: t.tenantId,
        code: 'district',
        names: { en: 'District' },
        groups: [
          { code: 'north', names: { en: 'North' } },
          { code: 'south', names: { en: 'South' } },
        ],
      },
    ]);
  });

  it('rejects a file with bad rows, naming line and column, and imports nothing', async () => {
    const app = await buildApp({
      config: { TRUST_PROXY: false, WALLBOARD_INTERVAL_MS: 1000 },
      db: ctx.database,
    });
    const csv = [
      'dimension,group,count,share,year',
      'gender,women,1200,,2025',
      'gender,aliens,5,,2025',
      'age,young,5,,2025',
      'gender,men,-3,,2025',
      'district,north,,0.7,2025',
      'district,south,,0.2,2025',
      'gender,women,1,,25',
      'gender,women,1200,,2025',
    ].join('\n');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/baselines/import',
      payload: csv,
      headers: writer(),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().rejected).toEqual([
      { line: 3, field: 'group', message: expect.any(String) },
      { line: 4, field: 'dimension', message: expect.any(String) },
      { line: 5, field: 'count', message: expect.any(String) },
      { line: 7, field: 'share', message: expect.stringContaining('add up to 0.900') },
      { line: 8, field: 'year', message: expect.any(String) },
      { line: 9, field: 'group', message: 'repeats line 2' },
    ]);
    expect(await rows()).toHaveLength(0);
    await app.close();
  });

  it('imports counts and shares, versioned by year, replacing a re-imported year', async () => {
    const app = await buildApp({
      config: { TRUST_PROXY: false, WALLBOARD_INTERVAL_MS: 1000 },
      db: ctx.database,
    });
    const send = (csv: string) =>
      app.inject({ method: 'POST', url: '/v1/baselines/import', payload: csv, headers: writer() });
    const first = await send(
      'dimension;group;count;share;year;source\ngender;women;1200;;2024;SCB\ngender;men;1100;;2024;SCB\ndistrict;north;;0,6;2024;\ndistrict;south;;0,4;2024;',
    );
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ rows: 4, imported: 4 });
    const second = await send('dimension,group,count,year\ngender,women,1300,2025\ngender,men,1250,2025');
    expect(second.statusCode).toBe(200);
    const again = await send('dimension,group,count,year\ngender,women,1310,2025\ngender,men,1250,2025');
    expect(again.json().replaced).toEqual([{ dimension: 'gender', year: 2025 }]);
    expect(await rows()).toEqual([
      { year: 2024, dimension: 'district', group_code: 'north', population: 600_000 },
      { year: 2024, dimension: 'district', group_code: 'south', population: 400_000 },
      { year: 2024, dimension: 'gender', group_code: 'men', population: 1100 },
      { year: 2024, dimension: 'gender', group_code: 'women', population: 1200 },
      { year: 2025, dimension: 'gender', group_code: 'men', population: 1250 },
      { year: 2025, dimension: 'gender', group_code: 'women', population: 1310 },
    ]);
    const list = await app.inject({
      url: '/v1/baselines?format=csv',
      headers: { cookie: t.cookies.manager },
    });
    expect(list.body.startsWith('\uFEFFyear,dimension,group,population,source,importedAt')).toBe(true);
    const supervisor = await app.inject({
      method: 'POST',
      url: '/v1/baselines/import',
      payload: 'dimension,group,count,year\ngender,women,1,2025',
      headers: {
        cookie: t.cookies.supervisor,
        'x-csrf-token': t.csrf.supervisor,
        'content-type': 'text/csv',
      },
    });
    expect(supervisor.statusCode).toBe(403);
    await app.close();
  });
});
