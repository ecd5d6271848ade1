import { useTestContext } from '@samtal/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { type SeededTenant, seedTenant } from './fixtures.ts';

describe('phone contacts: API and CSV import', () => {
  const ctx = useTestContext();
  let t: SeededTenant;
  const app = () =>
    buildApp({ config: { TRUST_PROXY: false, WALLBOARD_INTERVAL_MS: 1000 }, db: ctx.database });
  const count = async () =>
    Number(
      (await ctx.database.sql`select count(*)::int as n from contacts where tenant_id = ${t.tenantId}`)[0]!.n,
    );

  const writer = () => ({ cookie: t.cookies.manager, 'x-csrf-token': t.csrf.manager });

  beforeAll(async () => {
    t = await seedTenant(ctx.database, { slug: 'calls' });
  });

  it('needs the CSRF token of the session for a cookie-authenticated write', async () => {
    const server = await app();
    const res = await server.inject({
      method: 'POST',
      url: '/v1/contacts',
      payload: { externalId: 'x', offeredAt: '2026-03-09T08:00:00Z' },
      headers: { cookie: t.cookies.manager },
    });
    expect(res.statusCode).toBe(403);
    await server.close();
  });

  it('records a call once, however often it is sent', async () => {
    const server = await app();
    const call = {
      externalId: 'pbx-1',
      queue: 'main',
      agentEmail: 'AGENT@calls.test',
      offeredAt: '2026-03-09T08:00:00+01:00',
      answeredAt: '2026-03-09T08:00:12+01:00',
      endedAt: '2026-03-09T08:04:00+01:00',
    };
    const first = await server.inject({
      method: 'POST',
      url: '/v1/contacts',
      payload: call,
      headers: writer(),
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ externalId: 'pbx-1', created: true });
    const again = await server.inject({
      method: 'POST',
      url: '/v1/contacts',
      payload: call,
      headers: writer(),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().created).toBe(false);
    expect(await count()).toBe(1);
    const [row] = await ctx.database.sql`select agent_id, channel from contacts where external_id = 'pbx-1'`;
    expect(row).toEqual({ agent_id: t.users.agent, channel: 'phone' });
    await server.close();
  });

  it('rejects impossible records naming the field, writing nothing', async () => {
    const server = await app();
    const bad = [
      [
        { externalId: 'x', offeredAt: '2026-03-09T08:00:00Z', answeredAt: '2026-03-09T07:00:00Z' },
        'answeredAt',
      ],
      [{ externalId: 'x', offeredAt: 'yesterday' }, 'offeredAt'],
      [{ externalId: 'x', offeredAt: '2026-03-09T08:00:00Z', agentEmail: 'nobody@calls.test' }, 'agentEmail'],
      [
        {
          externalId: 'x',
          offeredAt: '2026-03-09T08:00:00Z',
          answeredAt: '2026-03-09T08:00:05Z',
          abandonedAt: '2026-03-09T08:00:06Z',
        },
        'abandonedAt',
      ],
      [{ offeredAt: '2026-03-09T08:00:00Z' }, 'externalId'],
    ] as const;
    const before = await count();
    for (const [payload, field] of bad) {
      const res = await server.inject({
        method: 'POST',
        url: '/v1/contacts',
        payload,
        headers: writer(),
      });
      expect(res.statusCode, field).toBe(400);
      expect(
        res.json().errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
    }
    expect(await count()).toBe(before);
    await server.close();
  });

  const csv = [
    'external_id;offered;answered;abandoned;ended;queue;agent_email',
    'c-1;2026-03-10T09:00:00+01:00;2026-03-10T09:00:10+01:00;;2026-03-10T09:03:00+01:00;main;agent@calls.test',
    'c-2;2026-03-10T09:01:00+01:00;;2026-03-10T09:01:30+01:00;;main;',
    'c-3;not a time;;;;main;',
    'c-4;2026-03-10T09:02:00+01:00;2026-03-10T09:01:00+01:00;;;main;',
    'c-1;2026-03-10T09:05:00+01:00;;;;main;',
    'c-5;2026-03-10T09:06:00+01:00;2026-03-10T09:06:05+01:00;;;"queue; with ""quotes""";ghost@calls.test',
  ].join('\r\n');

  it('imports nothing and lists every rejected row with line and column (all or nothing)', async () => {
    const server = await app();
    const before = await count();
    const res = await server.inject({
      method: 'POST',
      url: '/v1/contacts/import',
      payload: `\uFEFF${csv}`,
      headers: { ...writer(), 'content-type': 'text/csv' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().rejected).toEqual([
      { line: 4, field: 'offered', message: expect.any(String) },
      { line: 5, field: 'answered', message: 'must not be before offeredAt' },
      { line: 6, field: 'external_id', message: 'repeats line 2' },
      { line: 7, field: 'agent_email', message: expect.stringContaining('no staff member') },
    ]);
    expect(await count()).toBe(before);
    await server.close();
  });

  it('imports the valid rows with mode=skip_invalid, and a re-import counts nothing twice', async () => {
    const server = await app();
    const before = await count();
    const send = () =>
      server.inject({
        method: 'POST',
        url: '/v1/contacts/import?mode=skip_invalid',
        payload: csv,
        headers: { ...writer(), 'content-type': 'text/csv; charset=utf-8' },
      });
    const res = await send();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 6, inserted: 2, updated: 0 });
    expect(res.json().rejected).toHaveLength(4);
    expect(await count()).toBe(before + 2);
    const again = await send();
    expect(again.json()).toMatchObject({ inserted: 0, updated: 2 });
    expect(await count()).toBe(before + 2);
    await server.close();
  });

  it('rejects a file with unknown or missing columns, and agents may not import', async () => {
    const server = await app();
    const headers = { ...writer(), 'content-type': 'text/csv' };
    const unknown = await server.inject({
      method: 'POST',
      url: '/v1/contacts/import',
      payload: 'external_id,offered,colour\n',
      headers,
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toMatchObject({ field: '(header)' });
    const missing = await server.inject({
      method: 'POST',
      url: '/v1/contacts/import',
      payload: 'external_id,queue\n',
      headers,
    });
    expect(missing.json().detail).toContain('offered');
    const agent = await server.inject({
      method: 'POST',
      url: '/v1/contacts/import',
      payload: csv,
      headers: { ...headers, cookie: t.cookies.agent, 'x-csrf-token': t.csrf.agent },
    });
    expect(agent.statusCode).toBe(403);
    await server.close();
  });
});
