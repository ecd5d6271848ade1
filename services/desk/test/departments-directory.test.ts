import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import type { Fixture } from './work-helpers.ts';

describe('department directory', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await deskFixture(ctx);
  });
  afterAll(() => fixture.close());

  it('gives agents the names of the departments they route to, read-only and of their own municipality', async () => {
    const agent = await fixture.as('agent@vasteras.demo');
    const res = await fixture.app.inject({ method: 'GET', url: '/v1/departments', headers: agent.headers });
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json() as { id: string; code: string; name: string; kind: string; active: boolean }[];
    const ids = Object.values(fixture.demo.departments);
    expect(list.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(list.every((d) => d.name && ['department', 'contact_centre'].includes(d.kind))).toBe(true);
    expect(Object.keys(list[0]!).sort()).toEqual(['active', 'code', 'id', 'kind', 'name']);
    const write = await fixture.app.inject({
      method: 'POST',
      url: '/v1/departments',
      headers: agent.headers,
      payload: { code: 'x', name: 'X' },
    });
    expect(write.statusCode).toBe(404);
  });
});
