import { schema } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import { type Fixture, newCase, writerOf } from './work-helpers.ts';

describe('sensitive cases', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  let caseId: string;
  beforeAll(async () => {
    fixture = await deskFixture(ctx);
    const agent = await fixture.as('agent@vasteras.demo');
    const row = await newCase(fixture, writerOf(fixture, ctx), {
      categoryCode: 'violence-support',
      description: 'I need support; please call me after six',
      agentId: agent.principal.userId,
    });
    caseId = row.id;
    expect(row.sensitive).toBe(true);
    await ctx.database.db.insert(schema.demographicProfiles).values({
      tenantId: fixture.demo.tenantId,
      caseId,
      groups: { gender: 'woman', age_band: '30-44' },
      consentAt: new Date(),
      consentTextVersion: 'v1',
    });
    // The agent who took the call routes it to social services with the school assisting.
    const routed = await fixture.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/route`,
      headers: agent.headers,
      payload: {
        leadDepartmentId: fixture.demo.departments.social,
        assistingDepartmentIds: [fixture.demo.departments.education],
      },
    });
    expect(routed.statusCode, routed.body).toBe(200);
  });
  afterAll(() => fixture.close());

  const read = async (email: string, url = `/v1/cases/${caseId}`) =>
    fixture.app.inject({ method: 'GET', url, headers: (await fixture.as(email)).headers });

  const auditedReads = () =>
    ctx.database.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, 'case.read_sensitive'), eq(schema.auditLog.entityId, caseId)));

  it('is hidden from staff who neither handle it nor hold a role named for it', async () => {
    // The agent's claim ended when she routed it.
    for (const email of [
      'agent@vasteras.demo',
      'agent2@vasteras.demo',
      'officer@vasteras.demo',
      'manager@vasteras.demo',
    ]) {
      expect((await read(email)).statusCode, email).toBe(404);
      const list = await read(email, '/v1/cases');
      if (list.statusCode === 200)
        expect(list.json().items.map((i: { id: string }) => i.id)).not.toContain(caseId);
    }
    const queue = await read('agent2@vasteras.demo', '/v1/agent/queue');
    expect(queue.json().items.map((i: { id: string }) => i.id)).not.toContain(caseId);
    expect(await auditedReads()).toHaveLength(0);
  });

  it('is shown to a supervisor, and each read is written to the audit log', async () => {
    const supervisor = await fixture.as('supervisor@vasteras.demo');
    for (let i = 0; i < 2; i++) {
      const res = await fixture.app.inject({
        method: 'GET',
        url: `/v1/cases/${caseId}`,
        headers: supervisor.headers,
      });
      expect(res.statusCode).toBe(200);
    }
    const reads = await auditedReads();
    expect(reads).toHaveLength(2);
    expect(reads[0]).toMatchObject({
      actorId: supervisor.principal.userId,
      entity: 'case',
      actorKind: 'staff',
    });
    expect(reads[0]!.ip).toBeTruthy();
  });

  it('is shown to members of the lead department once they join it, with the read audited', async () => {
    const admin = await fixture.as('admin@vasteras.demo');
    const officer = await fixture.as('officer@vasteras.demo');
    const joined = await fixture.app.inject({
      method: 'PUT',
      url: `/v1/admin/staff/${officer.principal.userId}/departments`,
      headers: admin.headers,
      payload: { departmentIds: [fixture.demo.departments.streets, fixture.demo.departments.social] },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    const before = (await auditedReads()).length;
    const queue = await read(
      'officer@vasteras.demo',
      `/v1/departments/${fixture.demo.departments.social}/queue`,
    );
    expect(queue.json().items.map((i: { id: string }) => i.id)).toContain(caseId);
    const detail = await read('officer@vasteras.demo');
    expect(detail.statusCode).toBe(200);
    expect((await auditedReads()).length).toBe(before + 2);
    const audit = await fixture.app.inject({
      method: 'GET',
      url: `/v1/audit?entity=case&entityId=${caseId}&action=case.read_sensitive`,
      headers: admin.headers,
    });
    expect(audit.json().items.map((i: { data: { via: string } }) => i.data.via)).toContain(
      'department_queue',
    );
  });

  it('never returns demographic data from any endpoint', async () => {
    const res = await read('supervisor@vasteras.demo');
    const body = res.body;
    expect(body).not.toMatch(/woman|age_band|30-44|demographic|consent/i);
    expect(Object.keys(res.json())).not.toContain('groups');
  });
});
